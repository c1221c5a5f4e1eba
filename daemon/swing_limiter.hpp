// Turns what a profile wants from the swing into what the drive may be sent now: clamped to the
// room's limits and ramped at the allowed rates, so a setpoint is never stepped (SAFETY.md S7).
// Pure: time comes in as the tick's length.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

#include "config/model.hpp"

namespace sensoryd {

struct SwingTarget {
  config::SwingMode mode = config::SwingMode::off;
  double amplitude_deg = 0.0;
  double period_s = 0.0;
  bool operator==(const SwingTarget&) const = default;
};

struct SwingState {
  bool enabled = false;
  config::SwingMode mode = config::SwingMode::off;
  double amplitude_deg = 0.0;
  double period_s = 0.0;
  bool at_rest() const { return !enabled && amplitude_deg == 0.0; }
};

class SwingLimiter {
 public:
  explicit SwingLimiter(const config::SwingLimits& limits) : limits_(limits) {}

  // Moves the output towards `target` by at most what the limits allow in `dt`.
  const SwingState& step(const SwingTarget& target, std::chrono::duration<double> dt);

  // The drive stopped on its own (lost link, watchdog): start again from rest.
  void reset_to_rest() { state_ = SwingState{}; }

  // A tighter amplitude cap for the current session (a child's), never a looser one (S15).
  void set_amplitude_cap(std::optional<double> cap) { cap_ = cap; }
  double max_amplitude_deg() const {
    return cap_ ? std::min(*cap_, limits_.max_amplitude_deg) : limits_.max_amplitude_deg;
  }
  const config::SwingLimits& limits() const { return limits_; }

  const SwingState& state() const { return state_; }
  // True when the last target asked for more than the limits allow.
  bool last_target_clamped() const { return clamped_; }

 private:
  config::SwingLimits limits_;
  std::optional<double> cap_;
  SwingState state_;
  bool clamped_ = false;
};

}  // namespace sensoryd
