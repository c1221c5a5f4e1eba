#include "daemon/scene/scene_planner.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sensoryd {

namespace {

using Seconds = std::chrono::duration<double>;
using config::LightEffect;

double eased(double f, config::Curve curve) {
  f = std::clamp(f, 0.0, 1.0);
  return curve == config::Curve::s_curve ? f * f * (3.0 - 2.0 * f) : f;
}

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double f) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * f));
}

// The colour with its hue turned by `turn` (0..1 of a full circle), saturation and value kept.
config::Rgb rotate_hue(config::Rgb c, double turn) {
  double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
  double max = std::max({r, g, b}), min = std::min({r, g, b}), delta = max - min;
  if (delta <= 0.0) return c;
  double hue = max == r   ? std::fmod((g - b) / delta, 6.0)
               : max == g ? (b - r) / delta + 2.0
                          : (r - g) / delta + 4.0;
  hue = std::fmod(hue / 6.0 + turn + 1.0, 1.0) * 6.0;
  double x = delta * (1.0 - std::fabs(std::fmod(hue, 2.0) - 1.0));
  double rr = 0, gg = 0, bb = 0;
  int sector = static_cast<int>(hue) % 6;
  switch (sector) {
    case 0:
      rr = delta, gg = x;
      break;
    case 1:
      rr = x, gg = delta;
      break;
    case 2:
      gg = delta, bb = x;
      break;
    case 3:
      gg = x, bb = delta;
      break;
    case 4:
      rr = x, bb = delta;
      break;
    default:
      rr = delta, bb = x;
      break;
  }
  auto channel = [&](double v) {
    return static_cast<std::uint8_t>(std::lround((v + min) * 255.0));
  };
  return {channel(rr), channel(gg), channel(bb)};
}

// Intensity scales loudness as it scales brightness: half intensity is 6 dB quieter.
double scaled_level(double level_dba, double intensity) {
  if (intensity <= 0.0) return 0.0;
  return std::max(0.0, level_dba + 20.0 * std::log10(std::min(intensity, 1.0)));
}

bool applies_in(const config::Trigger& trigger, const Cue& cue) {
  if (cue.state != SessionState::running || cue.wind_down) return false;
  return trigger.steps.empty() ||
         std::find(trigger.steps.begin(), trigger.steps.end(), cue.index) != trigger.steps.end();
}

}  // namespace

ScenePlanner::ScenePlanner(const config::Room& room) : room_(room) {
  // At start every fixture shows the safe scene at once, and the sound is muted (S2).
  for (const config::Device* device : room_.devices_of(config::DeviceKind::light)) {
    LightChannel channel;
    channel.to = safe_light(device->id);
    channel.from = {channel.to.color, channel.to.brightness_pct};
    channel.last = channel.from;
    lights_.emplace(device->id, channel);
  }
  // Each fixture's entry in the scene, made once (a map's entries stay put): no lookup a tick.
  for (auto& [id, channel] : lights_) channel.shown = &scene_.lights[id];
}

ScenePlanner::LightTarget ScenePlanner::safe_light(const std::string& fixture) const {
  LightTarget target;
  target.color = room_.safe_scene.color;
  target.brightness_pct = room_.safe_scene.brightness_pct;
  if (auto it = room_.safe_scene.fixtures.find(fixture); it != room_.safe_scene.fixtures.end()) {
    target.color = it->second.first;
    target.brightness_pct = it->second.second;
  }
  target.fade.time = kCalmFade;
  return target;
}

std::optional<ScenePlanner::LightTarget> ScenePlanner::step_light(
    const Cue& cue, const std::string& fixture) const {
  auto target_of = [&](const config::LightSetting& light) {
    LightTarget target;
    target.color = light.color;
    target.brightness_pct = light.brightness_pct * std::clamp(cue.intensity, 0.0, 1.0);
    target.effect = light.effect;
    target.effect_period = light.effect_period;
    target.fade = light.fade;
    return target;
  };
  auto names = [&](const config::LightSetting& light) {
    return std::find(light.fixtures.begin(), light.fixtures.end(), fixture) != light.fixtures.end();
  };
  // An active trigger's light wins over the step's (the last trigger listed, when several).
  for (std::size_t i = triggers_.size(); i-- > 0;) {
    if (!triggers_[i].active) continue;
    for (const auto& light : cue.profile->triggers[i].lights) {
      if (names(light)) return target_of(light);
    }
  }
  const auto& steps = cue.wind_down ? cue.profile->wind_down : cue.profile->steps;
  for (int i = cue.index; i >= 0; --i) {
    for (const auto& light : steps[static_cast<std::size_t>(i)].lights) {
      if (names(light)) return target_of(light);
    }
  }
  return std::nullopt;
}

std::optional<ScenePlanner::SoundTarget> ScenePlanner::step_sound(const Cue& cue) const {
  auto target_of = [&](const config::SoundSetting& sound) {
    SoundTarget target;
    target.fade = sound.fade;
    double level = sound.mute ? 0.0 : scaled_level(sound.level_dba, cue.intensity);
    target.level = SoundLevel{level > 0.0, sound.source, level};
    return target;
  };
  for (std::size_t i = triggers_.size(); i-- > 0;) {
    if (triggers_[i].active && cue.profile->triggers[i].sound) {
      return target_of(*cue.profile->triggers[i].sound);
    }
  }
  const auto& steps = cue.wind_down ? cue.profile->wind_down : cue.profile->steps;
  for (int i = cue.index; i >= 0; --i) {
    if (const auto& sound = steps[static_cast<std::size_t>(i)].sound) return target_of(*sound);
  }
  return std::nullopt;
}

void ScenePlanner::update_triggers(const Cue& cue,
                                   const std::map<std::string, SwitchState>& switches,
                                   Clock::time_point now) {
  if (cue.state == SessionState::idle || cue.profile == nullptr) {
    for (std::size_t i = 0; i < triggers_.size(); ++i) {
      if (triggers_[i].active)
        events_.push_back({SceneEvent::Kind::trigger_ended, triggers_of_->triggers[i].input, {}});
    }
    if (!triggers_.empty()) ++trigger_changes_;
    triggers_.clear();
    triggers_of_ = nullptr;
    return;
  }
  if (triggers_of_ != cue.profile || triggers_session_ != cue.session_id ||
      triggers_.size() != cue.profile->triggers.size()) {
    triggers_of_ = cue.profile;
    triggers_session_ = std::string{cue.session_id};
    triggers_.assign(cue.profile->triggers.size(), TriggerState{});
    ++trigger_changes_;
  }
  for (std::size_t i = 0; i < triggers_.size(); ++i) {
    const config::Trigger& trigger = cue.profile->triggers[i];
    TriggerState& state = triggers_[i];
    auto found = switches.find(trigger.input);
    SwitchState input = found != switches.end() ? found->second : SwitchState{};
    // Presses made before the session (or the trigger's step) began do not count.
    unsigned new_presses = state.seen ? input.presses - state.presses : 0;
    state.seen = true;
    state.presses = input.presses;
    bool in_step = applies_in(trigger, cue);
    if (!in_step) new_presses = 0;
    bool active = false;
    switch (trigger.mode) {
      case config::TriggerMode::momentary:
        if (new_presses > 0) state.until = now + kMomentaryPulse;
        active = input.active || (state.until && now < *state.until);
        break;
      case config::TriggerMode::latched:
        if (new_presses % 2 == 1) state.latched = !state.latched;
        active = state.latched;
        break;
      case config::TriggerMode::timed:
        if (new_presses > 0) state.until = now + trigger.duration;
        active = state.until && now < *state.until;
        break;
    }
    active = active && in_step;
    if (active != state.active) {
      events_.push_back(
          {active ? SceneEvent::Kind::trigger_applied : SceneEvent::Kind::trigger_ended,
           trigger.input,
           {}});
      state.active = active;
      ++trigger_changes_;
    }
  }
}

devices::LightCommand ScenePlanner::light_output(const std::string& id, LightChannel& channel,
                                                 Clock::time_point now) {
  const LightTarget& to = channel.to;
  double fade = Seconds(to.fade.time).count();
  double f = fade <= 0.0 ? 1.0 : eased(Seconds(now - channel.since).count() / fade, to.fade.curve);
  devices::LightCommand out;
  out.color = {mix(channel.from.color.r, to.color.r, f), mix(channel.from.color.g, to.color.g, f),
               mix(channel.from.color.b, to.color.b, f)};
  out.brightness_pct =
      channel.from.brightness_pct + (to.brightness_pct - channel.from.brightness_pct) * f;
  double period = Seconds(to.effect_period).count();
  double phase =
      period > 0.0 ? std::fmod(Seconds(now - channel.since).count(), period) / period : 0.0;
  switch (to.effect) {
    case LightEffect::none:
      break;
    case LightEffect::breathe:
      out.brightness_pct *= 0.4 + 0.3 * (1.0 + std::cos(2.0 * std::numbers::pi * phase));
      break;
    case LightEffect::color_cycle:
      out.color = rotate_hue(out.color, phase);
      break;
    case LightEffect::strobe: {
      // S10: off unless the profile allows it, and never longer than max_strobe at a time.
      bool allowed = triggers_of_ == nullptr || triggers_of_->allow_strobe;
      if (!channel.strobe_since) channel.strobe_since = now;
      bool expired = now - *channel.strobe_since >= room_.limits.light.max_strobe;
      if (expired && !channel.strobe_capped) {
        channel.strobe_capped = true;
        events_.push_back({SceneEvent::Kind::strobe_capped, {}, id});
      }
      if (allowed && !expired && phase >= 0.5) out.brightness_pct = 0.0;
      break;
    }
  }
  return out;
}

SoundLevel ScenePlanner::sound_output(Clock::time_point now) {
  double fade = Seconds(sound_to_.fade.time).count();
  double f =
      fade <= 0.0 ? 1.0 : eased(Seconds(now - sound_since_).count() / fade, sound_to_.fade.curve);
  SoundLevel out;
  out.level_dba = sound_from_.level_dba + (sound_to_.level.level_dba - sound_from_.level_dba) * f;
  // The new source plays from the start of the fade; a fade to silence keeps the old one.
  out.source = sound_to_.level.playing ? sound_to_.level.source : sound_from_.source;
  out.playing = f < 1.0 ? (sound_from_.playing || sound_to_.level.playing) && out.level_dba > 0.0
                        : sound_to_.level.playing;
  return out;
}

bool ScenePlanner::cue_changed(const Cue& cue, bool calm) const {
  const CueKey& k = cue_key_;
  return !k.valid || k.calm != calm || k.profile != cue.profile || k.wind_down != cue.wind_down ||
         k.index != cue.index || k.intensity != cue.intensity ||
         k.trigger_changes != trigger_changes_ || k.session_id != cue.session_id;
}

const Scene& ScenePlanner::update(const Cue& cue,
                                  const std::map<std::string, SwitchState>& switches,
                                  Clock::time_point now) {
  // The session's profile pointer is the engine's own copy; what it allows is read from it.
  update_triggers(cue, switches, now);
  bool calm = cue.state == SessionState::idle || cue.state == SessionState::paused ||
              cue.profile == nullptr;
  if (cue_changed(cue, calm)) {
    cue_key_ = CueKey{true,          calm,      cue.profile,   std::string{cue.session_id},
                      cue.wind_down, cue.index, cue.intensity, trigger_changes_};
    for (auto& [id, channel] : lights_) {
      channel.step = calm ? std::nullopt : step_light(cue, id);
    }
    sound_step_ = calm ? std::nullopt : step_sound(cue);
  }
  Scene& scene = scene_;
  for (auto& [id, channel] : lights_) {
    LightTarget wanted;
    if (!calm && channel.step) {
      wanted = *channel.step;
    } else if (!calm && cue.wind_down) {
      wanted = channel.to;  // nothing set in the wind-down: stays as the session left it
    } else {
      wanted = safe_light(id);
    }
    if (!(wanted == channel.to)) {
      channel.from = channel.last;
      channel.to = wanted;
      channel.since = now;
      if (wanted.effect != LightEffect::strobe) {
        channel.strobe_since.reset();
        channel.strobe_capped = false;
      }
    }
    channel.last = light_output(id, channel, now);
    *channel.shown = channel.last;
  }
  SoundTarget wanted{SoundLevel{},
                     config::Fade{room_.limits.sound.mute_fade, config::Curve::linear}};
  if (!calm) {
    if (sound_step_) {
      wanted = *sound_step_;
    } else if (cue.wind_down) {
      wanted = sound_to_;
    }
  }
  if (!(wanted == sound_to_)) {
    sound_from_ = sound_last_;
    sound_to_ = wanted;
    sound_since_ = now;
  }
  sound_last_ = sound_output(now);
  scene.sound = sound_last_;
  return scene;
}

std::vector<SceneEvent> ScenePlanner::take_events() {
  std::vector<SceneEvent> taken;
  taken.swap(events_);
  return taken;
}

}  // namespace sensoryd
