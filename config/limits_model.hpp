// Safety limits of a room (docs/safety.md), each with its default. A room may tighten any limit;
// loosening one needs a reason written beside it, and is warned about.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sensoryd::config {

using Millis = std::chrono::milliseconds;

struct SwingLimits {
  double max_amplitude_deg = 30.0;        // S7
  double min_period_s = 2.0;              // S7, linear
  double max_amplitude_rate_deg_s = 3.0;  // S7: setpoint changes are ramped
  double max_period_rate_s_per_s = 1.0;   // S7
  double max_deceleration_deg_s = 10.0;   // S3: controlled stop ramp

  bool operator==(const SwingLimits&) const = default;
};

struct RotaryLimits {
  double max_rate_rev_s = 0.5;     // S8
  int max_revolutions = 10;        // S8: in one direction, then a pause
  double min_pause_s = 10.0;       // S8: before reversing
  double max_accel_rev_s2 = 0.25;  // S8: rate changes are ramped, never stepped

  bool operator==(const RotaryLimits&) const = default;
};

struct LightLimits {
  int max_flashes_per_s = 3;  // S9
  Millis max_strobe{30'000};  // S10

  bool operator==(const LightLimits&) const = default;
};

struct SoundLimits {
  double max_dba = 75.0;       // S11: at the listener
  double max_rise_db_s = 6.0;  // S11
  Millis mute_fade{1000};      // S3: sound fades to mute within 1 s

  bool operator==(const SoundLimits&) const = default;
};

struct SessionLimits {
  Millis max_duration{60 * 60 * 1000};  // S12
  Millis max_command_age{5000};         // S17
  Millis lease{10'000};                 // S13
  bool lease_required = true;           // S13: off only by room config, with a reason

  bool operator==(const SessionLimits&) const = default;
};

struct DeviceLimits {
  int lost_after_polls = 3;      // S5
  Millis safety_input_poll{20};  // S3: safety inputs polled at least this often
  bool estop_required = true;    // S20: off only by room config, with a reason

  bool operator==(const DeviceLimits&) const = default;
};

// S21, S22: how often each safety input must be seen to work, and whether motion waits for a
// current validation sign-off.
struct CheckLimits {
  // None: the check is off (only with a reason beside it).
  std::optional<Millis> estop_interval = Millis{24 * 60 * 60 * 1000};
  std::optional<Millis> door_interval = Millis{24 * 60 * 60 * 1000};
  bool require_validation = false;

  bool operator==(const CheckLimits&) const = default;
};

// A limit the room loosened beyond its default, with the reason written beside it.
struct LoosenedLimit {
  std::string key;  // e.g. "limits.sound.max_dba"
  std::string value;
  std::string reason;
};

struct Limits {
  SwingLimits swing;
  RotaryLimits rotary;
  LightLimits light;
  SoundLimits sound;
  SessionLimits session;
  DeviceLimits devices;
  CheckLimits checks;
  std::vector<std::string> tightened;  // keys set stricter than their default
  std::vector<LoosenedLimit> loosened;

  bool operator==(const Limits& other) const {
    return swing == other.swing && rotary == other.rotary && light == other.light &&
           sound == other.sound && session == other.session && devices == other.devices &&
           checks == other.checks;
  }
};

}  // namespace sensoryd::config
