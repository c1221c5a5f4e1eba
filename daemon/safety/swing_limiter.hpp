// Turns what a profile wants from the swing into what the drive may be sent now: clamped to the
// room's limits and ramped at the allowed rates, so a setpoint is never stepped (docs/safety.md
// S7); spinning goes through the rotary limiter (S8), and one motion winds to rest before the other
// starts. Pure: time comes in as the tick's length.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

#include "config/model.hpp"
#include "daemon/safety/rotary_limiter.hpp"

namespace sensoryd {

struct SwingTarget {
  config::SwingMode mode = config::SwingMode::off;
  double amplitude_deg = 0.0;                                  // linear
  double period_s = 0.0;                                       // linear
  double speed_rev_s = 0.0;                                    // rotary
  config::Direction direction = config::Direction::clockwise;  // rotary
  bool operator==(const SwingTarget&) const = default;
};

struct SwingState {
  bool enabled = false;
  config::SwingMode mode = config::SwingMode::off;
  double amplitude_deg = 0.0;
  double period_s = 0.0;
  double speed_rev_s = 0.0;
  config::Direction direction = config::Direction::clockwise;
  bool at_rest() const { return !enabled && amplitude_deg == 0.0 && speed_rev_s == 0.0; }
};

class SwingLimiter {
 public:
  explicit SwingLimiter(const config::SwingLimits& limits, const config::RotaryLimits& rotary = {},
                        double rotary_link_margin_rev = 0.0)
      : limits_(limits), rotary_(rotary, rotary_link_margin_rev) {}

  // Moves the output towards `target` by at most what the limits allow in `dt`.
  // `drive_turning`: the drive reports motion (or cannot be read); a rotary pause waits for it.
  const SwingState& step(const SwingTarget& target, std::chrono::duration<double> dt,
                         bool drive_turning = false);

  // The drive was told to stop outright (trip, lost link): later motion starts from rest, and
  // a spin only after a full rotary pause.
  void reset_to_rest();

  // A tighter amplitude cap for the current session (a child's), never a looser one (S15).
  void set_amplitude_cap(std::optional<double> cap) { cap_ = cap; }
  double max_amplitude_deg() const {
    return cap_ ? std::min(*cap_, limits_.max_amplitude_deg) : limits_.max_amplitude_deg;
  }
  const config::SwingLimits& limits() const { return limits_; }

  const SwingState& state() const { return state_; }
  const RotaryLimiter& rotary() const { return rotary_; }
  // True when the last target asked for more than the limits allow.
  bool last_target_clamped() const { return clamped_; }
  // Why the last target's spin was slowed or held at rest (S8).
  RotaryLimiter::Hold rotary_hold() const { return hold_; }

 private:
  void step_linear(const SwingTarget& target, double seconds);

  config::SwingLimits limits_;
  RotaryLimiter rotary_;
  std::optional<double> cap_;
  // The linear motion's own output; the state sent is composed from it and the rotary speed.
  bool linear_enabled_ = false;
  double amplitude_deg_ = 0.0;
  double period_s_ = 0.0;
  config::SwingMode last_motion_ = config::SwingMode::off;
  SwingState state_;
  bool clamped_ = false;
  RotaryLimiter::Hold hold_ = RotaryLimiter::Hold::none;
};

}  // namespace sensoryd
