// Session profiles as therapists define them: steps of swing, light and sound settings with
// per-channel fades, holds or waits for the therapist, loops, a wind-down and child-switch
// triggers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/device_model.hpp"

namespace sensoryd::config {

using Millis = std::chrono::milliseconds;

enum class Curve : std::uint8_t { linear, s_curve };

struct Fade {
  Millis time{0};
  Curve curve = Curve::linear;
  bool operator==(const Fade&) const = default;
};

enum class SwingMode : std::uint8_t { off = 0, linear = 1, rotary = 2 };
// Seen from above the seat; the drive's direction register holds these values.
enum class Direction : std::uint8_t { clockwise = 0, counterclockwise = 1 };
inline const char* to_string(Direction d) {
  return d == Direction::clockwise ? "clockwise" : "counterclockwise";
}

struct SwingSetting {
  SwingMode mode = SwingMode::off;
  double amplitude_deg = 0.0;                  // linear
  double period_s = 0.0;                       // linear
  double speed_rev_s = 0.0;                    // rotary
  Direction direction = Direction::clockwise;  // rotary
  Fade fade;
  bool operator==(const SwingSetting&) const = default;
};

enum class LightEffect : std::uint8_t { none, breathe, color_cycle, strobe };

struct LightSetting {
  std::vector<std::string> fixtures;  // resolved device ids (from fixtures and/or a group)
  Rgb color;
  double brightness_pct = 0.0;
  LightEffect effect = LightEffect::none;
  Millis effect_period{0};  // breathe / color_cycle / strobe cycle
  Fade fade;
  bool operator==(const LightSetting&) const = default;
};

struct SoundSetting {
  bool mute = false;
  std::string source;      // track or input
  double level_dba = 0.0;  // at the listener
  Fade fade;
  bool operator==(const SoundSetting&) const = default;
};

struct Step {
  std::string name;
  std::optional<SwingSetting> swing;  // unset: the swing keeps what the last step set
  std::vector<LightSetting> lights;
  std::optional<SoundSetting> sound;
  std::optional<Millis> duration;  // unset: the step waits for the therapist's "go"
  bool wait_for_go() const { return !duration.has_value(); }
  bool operator==(const Step&) const = default;
};

struct Loop {
  int from = 0;  // step indices, inclusive
  int to = 0;
  int count = 1;  // how many times the range runs in all
  bool operator==(const Loop&) const = default;
};

enum class TriggerMode : std::uint8_t { momentary, latched, timed };

// Cause and effect: a child switch applies an approved effect during some steps.
struct Trigger {
  std::string input;  // id of an input device with role child_switch
  TriggerMode mode = TriggerMode::momentary;
  Millis duration{0};      // timed
  std::vector<int> steps;  // step indices where it is active; empty: all
  std::vector<LightSetting> lights;
  std::optional<SoundSetting> sound;
  bool operator==(const Trigger&) const = default;
};

// Where a profile comes from: the technician's files beside the room file, or a therapist's,
// authored on the tablet and kept in the state directory (docs/profiles.md).
enum class ProfileOrigin : std::uint8_t { room, authored };

struct Profile {
  std::string id;
  std::string title;
  std::string purpose;  // calming, alerting, organising, play
  std::set<DeviceKind> needs;
  bool allow_strobe = false;  // S10: strobe-like effects are off unless the profile enables them
  std::vector<Step> steps;
  std::optional<Loop> loop;
  std::vector<Step> wind_down;  // run on stop
  std::vector<Trigger> triggers;
  std::filesystem::path source;
  ProfileOrigin origin = ProfileOrigin::room;
  int version = 0;      // authored: the saved version in force (docs/profiles.md); room: 0
  std::string sha256;   // of the profile file's text, as read or saved
  std::string content;  // the profile's JSON form (config/profile_form.hpp), as JSON text

  // The timed length of one run, loops included; waits for "go" count as zero.
  Millis total_duration() const;
  bool operator==(const Profile&) const = default;
};

}  // namespace sensoryd::config
