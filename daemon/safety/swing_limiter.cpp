#include "daemon/safety/swing_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd {

namespace {

double approach(double current, double target, double max_change) {
  if (target > current) return std::min(target, current + max_change);
  return std::max(target, current - max_change);
}

bool wants_linear(const SwingTarget& t) {
  return t.mode == config::SwingMode::linear && t.amplitude_deg > 0.0;
}

bool wants_rotary(const SwingTarget& t) {
  return t.mode == config::SwingMode::rotary && t.speed_rev_s > 0.0;
}

}  // namespace

void SwingLimiter::step_linear(const SwingTarget& target, double seconds) {
  bool moving = wants_linear(target);
  double max_amplitude = max_amplitude_deg();
  double amplitude = moving ? std::min(target.amplitude_deg, max_amplitude) : 0.0;
  double period = std::max(target.period_s, limits_.min_period_s);

  if (!linear_enabled_) {
    if (!moving) return;
    // Starting from rest: the period of a still swing does not matter, so it is set at once.
    linear_enabled_ = true;
    period_s_ = period;
    amplitude_deg_ = 0.0;
  }
  amplitude_deg_ = approach(amplitude_deg_, amplitude, limits_.max_amplitude_rate_deg_s * seconds);
  if (moving) period_s_ = approach(period_s_, period, limits_.max_period_rate_s_per_s * seconds);
  if (!moving && amplitude_deg_ <= 0.0) {
    linear_enabled_ = false;
    amplitude_deg_ = 0.0;
  }
}

const SwingState& SwingLimiter::step(const SwingTarget& target, std::chrono::duration<double> dt,
                                     bool drive_turning) {
  double seconds = std::max(0.0, dt.count());
  // One motion at a time: a swing changing between linear and rotary comes to rest first, as
  // sent and as the drive reports, before the other motion starts.
  bool was_linear = linear_enabled_;
  bool was_spinning = rotary_.speed_rev_s() > 0.0;
  auto may_start = [&](config::SwingMode mode) { return last_motion_ == mode || !drive_turning; };
  bool linear_ok = !was_spinning && (was_linear || may_start(config::SwingMode::linear));
  step_linear(wants_linear(target) && linear_ok ? target : SwingTarget{}, seconds);
  bool rotary_ok = !was_linear && (was_spinning || may_start(config::SwingMode::rotary));
  double wanted_speed = wants_rotary(target) && rotary_ok ? target.speed_rev_s : 0.0;
  rotary_.step(wanted_speed, target.direction, drive_turning, seconds);
  if (linear_enabled_) last_motion_ = config::SwingMode::linear;
  if (rotary_.speed_rev_s() > 0.0) last_motion_ = config::SwingMode::rotary;

  clamped_ = false;
  if (wants_linear(target)) {
    clamped_ = target.amplitude_deg > max_amplitude_deg() || target.period_s < limits_.min_period_s;
  } else if (wants_rotary(target)) {
    clamped_ = rotary_.rate_clamped();
  }
  hold_ = wants_rotary(target) ? rotary_.hold() : RotaryLimiter::Hold::none;

  if (linear_enabled_) {
    state_ = SwingState{true, config::SwingMode::linear, amplitude_deg_, period_s_,
                        0.0,  rotary_.direction()};
  } else if (rotary_.speed_rev_s() > 0.0) {
    state_ = SwingState{true,      config::SwingMode::rotary, 0.0,
                        period_s_, rotary_.speed_rev_s(),     rotary_.direction()};
  } else {
    state_ = SwingState{false, config::SwingMode::off, 0.0, period_s_, 0.0, rotary_.direction()};
  }
  return state_;
}

void SwingLimiter::reset_to_rest() {
  linear_enabled_ = false;
  amplitude_deg_ = 0.0;
  rotary_.stopped();
  state_ = SwingState{false, config::SwingMode::off, 0.0, period_s_, 0.0, rotary_.direction()};
}

}  // namespace sensoryd
