// S8 for a spinning seat: the rotation rate capped and ramped, revolutions in one direction
// counted, and a pause at rest required once they are used up and before any reversal.
// Pure: time comes in as the tick's length.
#pragma once

#include <cstdint>

#include "config/model.hpp"

namespace sensoryd {

class RotaryLimiter {
 public:
  // Why a wanted spin is slowed or held at rest this tick.
  enum class Hold : std::uint8_t { none, revolutions, reversal };

  // `link_margin_rev`: how far the seat could turn at full rate if the link to the drive died
  // at the worst moment (until the drive's comm-loss watchdog stops it); stops are planned that
  // much short of the revolution limit, on top of kMarginRev.
  explicit RotaryLimiter(const config::RotaryLimits& limits, double link_margin_rev = 0.0)
      : limits_(limits), margin_rev_(kMarginRev + link_margin_rev) {}

  // Moves the speed towards `wanted_rev_s` (0: rest) in `direction`, by at most what the limits
  // allow in `dt_s`. `drive_turning`: the drive still reports motion (or cannot be read), so a
  // pause has not begun, whatever was commanded.
  double step(double wanted_rev_s, config::Direction direction, bool drive_turning, double dt_s);

  // The drive was told to stop outright (a trip, a lost link): it coasts down on its own, so
  // the next spin in either direction comes only after a full pause.
  void stopped();

  double speed_rev_s() const { return speed_; }
  config::Direction direction() const { return direction_; }
  // Revolutions turned in the current direction since the last full pause.
  double revolutions() const { return revolutions_; }
  double rest_s() const { return rest_s_; }
  Hold hold() const { return hold_; }
  // True when the last wanted speed was above the room's rate limit.
  bool rate_clamped() const { return rate_clamped_; }
  const config::RotaryLimits& limits() const { return limits_; }

  // The limiter plans its stops this far short of the revolution limit, so that the timing
  // jitter between its ticks and the drive's clock cannot carry the seat past it.
  static constexpr double kMarginRev = 0.05;
  // Likewise a pause lasts this much longer than the limit, so that the bus's timing cannot make
  // it shorter on the drive's side than in the limiter's count.
  static constexpr double kPauseMarginS = 0.1;

 private:
  config::RotaryLimits limits_;
  double margin_rev_;
  double speed_ = 0.0;
  config::Direction direction_ = config::Direction::clockwise;
  double revolutions_ = 0.0;
  double rest_s_ = 0.0;
  bool pause_owed_ = false;
  bool just_stopped_ = false;
  Hold hold_ = Hold::none;
  bool rate_clamped_ = false;
};

}  // namespace sensoryd
