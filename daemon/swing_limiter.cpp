#include "daemon/swing_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd {

namespace {

double approach(double current, double target, double max_change) {
  if (target > current) return std::min(target, current + max_change);
  return std::max(target, current - max_change);
}

}  // namespace

const SwingState& SwingLimiter::step(const SwingTarget& target, std::chrono::duration<double> dt) {
  double seconds = std::max(0.0, dt.count());
  bool moving = target.mode == config::SwingMode::linear && target.amplitude_deg > 0.0;
  double max_amplitude = max_amplitude_deg();
  double amplitude = moving ? std::min(target.amplitude_deg, max_amplitude) : 0.0;
  double period = std::max(target.period_s, limits_.min_period_s);
  clamped_ =
      moving && (target.amplitude_deg > max_amplitude || target.period_s < limits_.min_period_s);

  if (!state_.enabled) {
    if (!moving) return state_;
    // Starting from rest: the period of a still swing does not matter, so it is set at once.
    state_.enabled = true;
    state_.mode = config::SwingMode::linear;
    state_.period_s = period;
    state_.amplitude_deg = 0.0;
  }
  state_.amplitude_deg =
      approach(state_.amplitude_deg, amplitude, limits_.max_amplitude_rate_deg_s * seconds);
  if (moving) {
    state_.period_s = approach(state_.period_s, period, limits_.max_period_rate_s_per_s * seconds);
  }
  if (!moving && state_.amplitude_deg <= 0.0) {
    state_ = SwingState{false, config::SwingMode::off, 0.0, state_.period_s};
  }
  return state_;
}

}  // namespace sensoryd
