// A session's dose (docs/clinical-record.md): what the equipment was sent, after every limit, and
// what the drive measured, summed up the way occupational therapists describe sensory input
// (time in motion, oscillations, revolutions, light by colour, sound level, pauses, trips). Fed
// one sample per control tick, or one per second of the time series for a session a kill cut
// short. Adding a sample allocates nothing (docs/safety.md S19). Pure: no clock, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "daemon/safety/swing_limiter.hpp"

namespace sensoryd {

enum class ColourFamily : std::uint8_t {
  red,
  orange,
  yellow,
  green,
  cyan,
  blue,
  purple,
  pink,
  white,
};
inline constexpr std::size_t kColourFamilies = 9;
std::string_view to_string(ColourFamily family);
// The family a lit colour is seen as: white when barely saturated, else by hue.
ColourFamily colour_family(const config::Rgb& rgb);

// What the room did for `seconds`: the outputs as sent (after every limit) and as measured.
struct DoseSample {
  double seconds = 0.0;
  bool paused = false;   // the session was paused
  bool tripped = false;  // an interlock was tripped or holding
  bool clamped = false;  // a limit held an output back (swing, light or sound)

  SwingState swing;          // as sent to the drive
  bool rotary_held = false;  // a spin held at rest for the rotary pause (S8)

  // The swing as the drive reported it; `measured` false when it had no valid reading.
  bool measured = false;
  double measured_amplitude_deg = 0.0;
  double measured_speed_rev_s = 0.0;
  double measured_angle_deg = 0.0;  // for the time series only

  struct Light {
    config::Rgb color;
    double brightness_pct = 0.0;
    int transitions = 0;  // changes of level during this sample (two opposite ones: a flash)
    double reported_brightness_pct = -1.0;  // what the fixture said it shows; -1: nothing yet
  };
  struct Sound {
    double level_dba = 0.0;             // at the listener, through the calibration; 0: silent
    double reported_volume_pct = -1.0;  // what the player said it plays at; -1: nothing yet
  };
  // One per fixture and per player, in the order given to DoseMeter::begin.
  std::vector<Light> lights;
  std::vector<Sound> sounds;
};

struct LightDose {
  std::string device;
  double lit_s = 0.0;
  double peak_brightness_pct = 0.0;
  std::array<double, kColourFamilies> family_s{};  // seconds lit in each colour family
  int flashes = 0;
  double flashing_s = 0.0;  // whole seconds of the session holding a flash
};

struct SoundDose {
  std::string device;
  double playing_s = 0.0;
  double leq_dba = 0.0;  // energy average over playing_s (0 when it never played)
  double peak_dba = 0.0;
};

struct Dose {
  double duration_s = 0.0;
  double time_in_motion_s = 0.0;  // linear and rotary, as sent
  // Linear swing, as sent.
  double linear_s = 0.0;
  double oscillations = 0.0;                 // full back-and-forth cycles
  double mean_amplitude_deg = 0.0;           // per oscillation
  double time_weighted_amplitude_deg = 0.0;  // per second of linear motion
  double peak_amplitude_deg = 0.0;
  // Rotary, as sent.
  double rotary_s = 0.0;
  double revolutions_clockwise = 0.0;
  double revolutions_counterclockwise = 0.0;
  double peak_rate_rev_s = 0.0;
  int rotary_pauses = 0;
  double rotary_pause_s = 0.0;
  // As the drive measured it; `measured_s` 0 when it reported nothing.
  double measured_s = 0.0;
  double measured_motion_s = 0.0;
  double measured_peak_amplitude_deg = 0.0;
  double measured_revolutions = 0.0;
  // Interruptions.
  int pauses = 0;
  double paused_s = 0.0;
  int trips = 0;
  double tripped_s = 0.0;
  int clamps = 0;
  double clamped_s = 0.0;

  std::vector<LightDose> lights;
  std::vector<SoundDose> sounds;
  // All players together: energy summed, averaged over the time any played; the peak is the
  // loudest moment of all of them at once.
  double sound_playing_s = 0.0;
  double sound_leq_dba = 0.0;
  double sound_peak_dba = 0.0;
};

class DoseMeter {
 public:
  // Starts a session's dose with these fixtures and players (the samples' order).
  void begin(std::vector<std::string> lights, std::vector<std::string> players);
  bool active() const { return active_; }
  // A sample of another shape than begin() said is ignored.
  void add(const DoseSample& sample);
  Dose summary() const;
  void end() { active_ = false; }
  // Fixtures and players, as begin() was given them.
  const std::vector<std::string>& lights() const { return light_ids_; }
  const std::vector<std::string>& players() const { return player_ids_; }

 private:
  struct LightState {
    int transitions = 0;                 // all of them: flashes are the pairs
    int window_transitions = 0;          // in the current whole second of the session
    config::Rgb family_of;               // the colour `family` was worked out for
    std::optional<ColourFamily> family;  // unset until the light is first lit
  };
  struct SoundState {
    double energy_s = 0.0;  // sum of 10^(L/10) * seconds while playing
  };

  // Each part of a sample `dt` seconds long, into dose_ and the sums beside it.
  void add_interruptions(const DoseSample& s, double dt);
  void add_swing(const DoseSample& s, double dt);
  void add_measured(const DoseSample& s, double dt);
  void add_lights(const DoseSample& s, double dt);
  void add_sound(const DoseSample& s, double dt);

  bool active_ = false;
  double elapsed_s_ = 0.0;
  std::int64_t window_ = -1;  // the whole second of the session flashes are counted in
  std::vector<std::string> light_ids_;
  std::vector<std::string> player_ids_;
  Dose dose_;
  double oscillation_amplitude_ = 0.0;  // sum of amplitude per oscillation
  double amplitude_seconds_ = 0.0;      // sum of amplitude * seconds of linear motion
  double sound_energy_s_ = 0.0;         // all players, while any played
  bool was_paused_ = false;
  bool was_tripped_ = false;
  bool was_clamped_ = false;
  bool was_rotary_held_ = false;
  std::vector<LightState> light_states_;
  std::vector<SoundState> sound_states_;
};

// The summary as the `dose` object of session_ended (docs/clinical-record.md); `source` says
// where it came from: "control_loop", or "time_series" for an interrupted session.
std::string dose_json(const Dose& dose, std::string_view source);

// A dose as dose_json wrote it, read back (the clinical log's exports and reports read the
// dose through its type, not by paths into the JSON). Nullopt when `text` is not such a dose:
// an absent or mistyped figure is not taken for zero.
// Where a dose was summed (its `source`): the control tick, the 1 Hz time series an
// interrupted session left, or a preview's computed session.
inline constexpr std::string_view kDoseFromControlLoop = "control_loop";
inline constexpr std::string_view kDoseFromTimeSeries = "time_series";
inline constexpr std::string_view kDoseFromPreview = "preview";

struct LoggedDose {
  Dose dose;
  std::string source;  // one of the kDoseFrom... above
};
std::optional<LoggedDose> read_dose(std::string_view text);

}  // namespace sensoryd
