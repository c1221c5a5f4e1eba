#include "config/duration.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace sensoryd::config {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t unit_pos = text.find_first_not_of("0123456789.");
  if (unit_pos == 0 || unit_pos == std::string_view::npos) return std::nullopt;
  std::string_view number = text.substr(0, unit_pos);
  std::string_view unit = text.substr(unit_pos);
  double value = 0.0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  double scale = 0.0;
  if (unit == "ms") {
    scale = 1.0;
  } else if (unit == "s") {
    scale = 1000.0;
  } else if (unit == "m" || unit == "min") {
    scale = 60'000.0;
  } else if (unit == "h") {
    scale = 3'600'000.0;
  } else if (unit == "d") {
    scale = 86'400'000.0;
  } else {
    return std::nullopt;
  }
  double ms = value * scale;
  // Ten years: beyond anything a room means. Each key narrows this to its own range (the longest,
  // a functional check's interval: a year and a day) and says so.
  if (ms > 3660.0 * 86'400'000.0) return std::nullopt;
  return std::chrono::milliseconds{static_cast<long long>(std::llround(ms))};
}

}  // namespace sensoryd::config
