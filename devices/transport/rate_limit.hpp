// A token bucket: lets through `per_second` on average and `burst` at once. Time is passed in.
// What bounds the answers to a flood, wherever one can arrive (commands, discovery, the log).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

namespace sensoryd {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimit(double per_second, double burst)
      : per_second_(per_second), burst_(burst), tokens_(burst) {}

  bool allow(Clock::time_point now) {
    if (last_) {
      std::chrono::duration<double> elapsed = now - *last_;
      tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed.count()) * per_second_);
    }
    last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double per_second_;
  double burst_;
  double tokens_;
  std::optional<Clock::time_point> last_;
};

}  // namespace sensoryd
