#include "daemon/safety/rotary_limiter.hpp"

#include <algorithm>

namespace sensoryd {

double RotaryLimiter::step(double wanted_rev_s, config::Direction direction, bool drive_turning,
                           double dt_s) {
  double dt = std::max(0.0, dt_s);
  rate_clamped_ = wanted_rev_s > limits_.max_rate_rev_s;
  double want = std::clamp(wanted_rev_s, 0.0, limits_.max_rate_rev_s);
  hold_ = Hold::none;

  // A pause counts only while the seat is at rest, as commanded and as the drive reports; the
  // tick in which a stop was ordered was not at rest.
  bool resting = speed_ == 0.0 && !drive_turning && !just_stopped_;
  just_stopped_ = false;
  if (resting) {
    rest_s_ += dt;
    if (rest_s_ >= limits_.min_pause_s + kPauseMarginS) {
      revolutions_ = 0.0;
      pause_owed_ = false;
    }
  } else {
    rest_s_ = 0.0;
  }

  if (want > 0.0 && direction != direction_) {
    if (speed_ == 0.0 && revolutions_ == 0.0) {
      direction_ = direction;  // nothing turned since the last pause: free to choose
    } else {
      want = 0.0;  // stop, pause, then reverse
      hold_ = Hold::reversal;
    }
  }
  if (want > 0.0 && pause_owed_) {
    want = 0.0;
    hold_ = Hold::revolutions;
  }

  double a = limits_.max_accel_rev_s2;
  auto approach = [&](double target) {
    return target > speed_ ? std::min(target, speed_ + a * dt) : std::max(target, speed_ - a * dt);
  };
  double next = approach(want);
  // Ramping down at `a` from v turns exactly v^2 / 2a more (the trapezoids of the ramp sum to
  // it), so checking it every tick keeps the total within the limit.
  double budget = limits_.max_revolutions - margin_rev_;
  auto total_if = [&](double v) {
    return revolutions_ + (speed_ + v) / 2.0 * dt + v * v / (2.0 * a);
  };
  if (next > 0.0 && total_if(next) > budget) {
    next = approach(0.0);
    pause_owed_ = true;
    if (wanted_rev_s > 0.0 && hold_ == Hold::none) hold_ = Hold::revolutions;
  }
  revolutions_ += (speed_ + next) / 2.0 * dt;
  speed_ = next;
  return speed_;
}

void RotaryLimiter::stopped() {
  if (speed_ > 0.0 || revolutions_ > 0.0) pause_owed_ = true;
  if (speed_ > 0.0) just_stopped_ = true;
  speed_ = 0.0;
}

}  // namespace sensoryd
