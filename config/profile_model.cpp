#include "config/profile_model.hpp"

namespace sensoryd::config {

Millis Profile::total_duration() const {
  auto length = [this](std::size_t from, std::size_t to) {
    Millis total{0};
    for (std::size_t i = from; i <= to && i < steps.size(); ++i) {
      total += steps[i].duration.value_or(Millis{0});
    }
    return total;
  };
  if (steps.empty()) return Millis{0};
  Millis total = length(0, steps.size() - 1);
  if (loop) {
    total += length(static_cast<std::size_t>(loop->from), static_cast<std::size_t>(loop->to)) *
             (loop->count - 1);
  }
  return total;
}

}  // namespace sensoryd::config
