// What the lights and the sound should do now, from the session's cue: each step's light and
// sound settings with their per-channel fades, effects (breathe, colour cycle, strobe capped at
// limits.light.max_strobe, S10), intensity, child-switch triggers, and the safe scene when no
// session runs or it is paused (S2). Deterministic: time is passed in. What it asks for still
// goes through the scene guard's limits before any device sees it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/session/session_engine.hpp"
#include "devices/light_fixture.hpp"

namespace sensoryd {

// The sound wanted at the listener; level_dba 0 is silence.
struct SoundLevel {
  bool playing = false;
  std::string source;
  double level_dba = 0.0;
  bool operator==(const SoundLevel&) const = default;
};

struct Scene {
  std::map<std::string, devices::LightCommand> lights;  // every fixture of the room
  SoundLevel sound;
};

// A child switch as the planner sees it: held now, and how many presses so far.
struct SwitchState {
  bool active = false;
  unsigned presses = 0;
};

struct SceneEvent {
  enum class Kind { trigger_applied, trigger_ended, strobe_capped };
  Kind kind;
  std::string input;    // the switch, for triggers
  std::string fixture;  // the light, for a capped strobe
};

class ScenePlanner {
 public:
  using Clock = std::chrono::steady_clock;
  // How fast lights and sound go to the calm, safe scene when a session pauses or ends.
  static constexpr std::chrono::seconds kCalmFade{2};
  // A press of a momentary switch that is released at once still shows for this long.
  static constexpr std::chrono::seconds kMomentaryPulse{1};

  explicit ScenePlanner(const config::Room& room);
  // Holds pointers into its own scene: never copied or moved.
  ScenePlanner(const ScenePlanner&) = delete;
  ScenePlanner& operator=(const ScenePlanner&) = delete;

  // The scene for this tick; valid until the next call (kept: no allocation a tick).
  const Scene& update(const Cue& cue, const std::map<std::string, SwitchState>& switches,
                      Clock::time_point now);
  std::vector<SceneEvent> take_events();

 private:
  struct LightTarget {
    config::Rgb color;
    double brightness_pct = 0.0;
    config::LightEffect effect = config::LightEffect::none;
    config::Millis effect_period{0};
    config::Fade fade;
    bool operator==(const LightTarget&) const = default;
  };
  struct LightChannel {
    LightTarget to;
    devices::LightCommand from;
    devices::LightCommand last;  // the last output, where a new fade starts
    Clock::time_point since{};
    std::optional<Clock::time_point> strobe_since;
    bool strobe_capped = false;
    std::optional<LightTarget> step;         // what the cue asks of this fixture (step_light)
    devices::LightCommand* shown = nullptr;  // its entry in scene_.lights
  };
  struct SoundTarget {
    SoundLevel level;
    config::Fade fade;
    bool operator==(const SoundTarget&) const = default;
  };
  struct TriggerState {
    bool seen = false;
    unsigned presses = 0;
    bool latched = false;
    std::optional<Clock::time_point> until;  // timed, and the pulse of a momentary press
    bool active = false;
  };

  LightTarget safe_light(const std::string& fixture) const;
  std::optional<LightTarget> step_light(const Cue& cue, const std::string& fixture) const;
  std::optional<SoundTarget> step_sound(const Cue& cue) const;
  void update_triggers(const Cue& cue, const std::map<std::string, SwitchState>& switches,
                       Clock::time_point now);
  devices::LightCommand light_output(const std::string& id, LightChannel& channel,
                                     Clock::time_point now);
  SoundLevel sound_output(Clock::time_point now);

  const config::Room& room_;
  std::map<std::string, LightChannel> lights_;
  SoundTarget sound_to_;
  SoundLevel sound_from_;
  SoundLevel sound_last_;
  Clock::time_point sound_since_{};
  const config::Profile* triggers_of_ = nullptr;  // the profile the trigger states belong to
  std::string triggers_session_;                  // and the session
  std::vector<TriggerState> triggers_;
  std::vector<SceneEvent> events_;
  Scene scene_;  // the last update's
  // What the cue asked when the step targets were last worked out: they are looked up again
  // only when it changes (a step, the intensity, a trigger, a session), not every tick.
  struct CueKey {
    bool valid = false;
    bool calm = true;
    const config::Profile* profile = nullptr;
    std::string session_id;
    bool wind_down = false;
    int index = -1;
    double intensity = 1.0;
    unsigned trigger_changes = 0;
  };
  bool cue_changed(const Cue& cue, bool calm) const;
  CueKey cue_key_;
  unsigned trigger_changes_ = 0;           // counts every change of triggers_ (active, reset)
  std::optional<SoundTarget> sound_step_;  // what the cue asks of the sound (step_sound)
};

}  // namespace sensoryd
