#include "config/step_reader.hpp"

#include "config/profile_loader.hpp"
#include "config/units.hpp"

#include <algorithm>
#include <chrono>

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

bool saturated_red(const Rgb& c) {
  int sum = c.r + c.g + c.b;
  return sum > 0 && c.r >= 0.8 * sum;
}

}  // namespace

Fade StepReader::read_fade(TableReader& reader, const Fade& fallback) {
  Fade fade = fallback;
  fade.time = reader.duration("fade", Need::optional, 0ms, 1h).value_or(fallback.time);
  if (auto curve =
          reader.choice("curve", Need::optional, {kFadeCurves.begin(), kFadeCurves.end()})) {
    fade.curve = *curve == "s-curve" ? Curve::s_curve : Curve::linear;
  }
  return fade;
}

std::optional<SwingSetting> StepReader::swing(const toml::table& table, const std::string& where,
                                              const Fade& step_fade) {
  TableReader reader(table, where, diagnostics_);
  SwingSetting swing;
  swing.fade = read_fade(reader, step_fade);
  auto mode = reader.choice("mode", Need::required, {"off", "linear", "rotary"});
  const SwingLimits& limits = room_.limits.swing;
  bool ok = mode.has_value();
  if (mode == "linear") {
    swing.mode = SwingMode::linear;
    auto amplitude = reader.number("amplitude_deg", Need::required, 0.0, 90.0);
    auto period = reader.duration("period", Need::required, 100ms, 10min);
    if (amplitude && *amplitude > limits.max_amplitude_deg) {
      reader.error_at_key("amplitude_deg",
                          "swing amplitude " + format_number(*amplitude) + " deg in " + where +
                              " exceeds the room limit limits.swing.max_amplitude_deg = " +
                              format_number(limits.max_amplitude_deg) + ": lower the amplitude");
      ok = false;
    }
    if (period && std::chrono::duration<double>(*period).count() < limits.min_period_s) {
      reader.error_at_key(
          "period", "swing period " +
                        format_number(std::chrono::duration<double>(*period).count()) + "s in " +
                        where +
                        " is shorter than the room limit "
                        "limits.swing.min_period_s = " +
                        format_number(limits.min_period_s) + ": make the period longer");
      ok = false;
    }
    bool swinging_drive = std::any_of(
        room_.devices.begin(), room_.devices.end(),
        [](const Device& d) { return d.as<SwingDrive>() && d.as<SwingDrive>()->linear; });
    if (!swinging_drive) {
      reader.error_at_key("mode", where +
                                      " asks for a linear swing, but the room's drive is a "
                                      "rotary platform (linear = false): use \"rotary\"");
      ok = false;
    }
    ok = ok && amplitude && period;
    if (ok) {
      swing.amplitude_deg = *amplitude;
      swing.period_s = std::chrono::duration<double>(*period).count();
    }
  } else if (mode == "rotary") {
    swing.mode = SwingMode::rotary;
    auto speed = reader.number("speed_rev_s", Need::required, 0.0, 5.0);
    if (speed && *speed > room_.limits.rotary.max_rate_rev_s) {
      reader.error_at_key("speed_rev_s",
                          "rotation " + format_number(*speed) + " rev/s in " + where +
                              " exceeds the room limit limits.rotary.max_rate_rev_s = " +
                              format_number(room_.limits.rotary.max_rate_rev_s) + ": slow it down");
      ok = false;
    }
    bool rotary_drive = std::any_of(
        room_.devices.begin(), room_.devices.end(),
        [](const Device& d) { return d.as<SwingDrive>() && d.as<SwingDrive>()->rotary; });
    if (!rotary_drive) {
      reader.error_at_key("mode", where +
                                      " asks for rotary swing, but no swing drive in the "
                                      "room has rotary = true: use \"linear\"");
      ok = false;
    }
    auto direction = reader.choice("direction", Need::optional, {"clockwise", "counterclockwise"});
    if (direction == "counterclockwise") swing.direction = Direction::counterclockwise;
    ok = ok && speed;
    if (ok) swing.speed_rev_s = *speed;
  }
  if (!mode) {
    // The mode is wrong; its settings are not also reported as unknown keys.
    for (auto key : {"amplitude_deg", "period", "speed_rev_s", "direction"}) reader.ignore(key);
  }
  reader.finish();
  used_.insert(DeviceKind::swing_drive);
  if (!ok) return std::nullopt;
  return swing;
}

std::optional<LightSetting> StepReader::light(const toml::table& table, const std::string& where,
                                              const Fade& step_fade,
                                              std::optional<Millis> step_duration) {
  TableReader reader(table, where, diagnostics_);
  LightSetting light;
  light.fade = read_fade(reader, step_fade);
  bool ok = true;
  auto fixtures = reader.string_list("fixtures", Need::optional);
  auto group = reader.string("group", Need::optional);
  for (const auto& id : fixtures.value_or(std::vector<std::string>{})) {
    const Device* device = room_.find_device(id);
    if (device == nullptr || device->kind() != DeviceKind::light) {
      reader.error_at_key("fixtures", "\"" + id + "\" in " + where +
                                          " is not a light of this room: use a light's device id");
      ok = false;
    } else {
      light.fixtures.push_back(id);
    }
  }
  if (group) {
    bool found = false;
    for (const auto& device : room_.devices) {
      if (std::find(device.groups.begin(), device.groups.end(), *group) != device.groups.end()) {
        light.fixtures.push_back(device.id);
        found = true;
      }
    }
    if (!found) {
      reader.error_at_key("group", "no light is in group \"" + *group + "\" (" + where +
                                       "): add it to a light's groups, or name fixtures");
      ok = false;
    }
  }
  if (!fixtures && !group) {
    for (const auto& device : room_.devices) {
      if (device.kind() == DeviceKind::light) light.fixtures.push_back(device.id);
    }
  }
  light.color = reader.color("color", Need::optional).value_or(Rgb{255, 255, 255});
  light.brightness_pct = reader.percent("brightness", Need::required).value_or(0.0);
  auto effect =
      reader.choice("effect", Need::optional, {kLightEffects.begin(), kLightEffects.end()});
  if (effect == "breathe") light.effect = LightEffect::breathe;
  if (effect == "color_cycle") light.effect = LightEffect::color_cycle;
  if (effect == "strobe") light.effect = LightEffect::strobe;
  bool animated = light.effect != LightEffect::none;
  auto period =
      reader.duration("effect_period", animated ? Need::required : Need::optional, 50ms, 10min);
  if (period) light.effect_period = *period;
  if (light.effect == LightEffect::breathe || light.effect == LightEffect::color_cycle) {
    if (period && *period < 2s) {
      reader.error_at_key("effect_period", "a " + *effect + " effect in " + where +
                                               " must be slow: use an effect_period of at "
                                               "least 2s");
      ok = false;
    }
  }
  if (light.effect == LightEffect::strobe) {
    const LightLimits& limits = room_.limits.light;
    if (!profile_.allow_strobe) {
      reader.error_at_key(
          "effect", "strobe in " + where + " is off unless the profile sets allow_strobe = true");
      ok = false;
    }
    if (period && 1000.0 / static_cast<double>(period->count()) > limits.max_flashes_per_s) {
      reader.error_at_key("effect_period",
                          "a strobe period of " + std::to_string(period->count()) + "ms in " +
                              where + " flashes more than limits.light.max_flashes_per_s = " +
                              std::to_string(limits.max_flashes_per_s) +
                              " times a second: use a longer effect_period");
      ok = false;
    }
    if (saturated_red(light.color)) {
      reader.error_at_key("color", "saturated red must never flash (" + where +
                                       "): choose another colour for a strobe");
      ok = false;
    }
    if (!step_duration || *step_duration > limits.max_strobe) {
      reader.error_at_key("effect", "strobe in " + where +
                                        " may last at most limits.light.max_strobe: give "
                                        "its step a duration of at most " +
                                        std::to_string(limits.max_strobe.count() / 1000) + "s");
      ok = false;
    }
  }
  reader.finish();
  used_.insert(DeviceKind::light);
  if (!ok) return std::nullopt;
  return light;
}

std::vector<LightSetting> StepReader::lights(TableReader& parent, const std::string& where,
                                             const Fade& step_fade, std::optional<Millis> duration,
                                             bool& ok) {
  std::vector<LightSetting> out;
  const toml::node* node = parent.table_or_array("lights");
  if (node == nullptr) return out;
  auto one = [&](const toml::node& item, const std::string& item_where) {
    if (!item.is_table()) {
      parent.error_at(item.source(), item_where + " must be a table");
      ok = false;
      return;
    }
    if (auto l = light(*item.as_table(), item_where, step_fade, duration)) {
      out.push_back(*l);
    } else {
      ok = false;
    }
  };
  if (node->is_table()) {
    one(*node, "the lights of " + where);
  } else {
    int n = 0;
    for (const toml::node& item : *node->as_array()) {
      one(item, "lights " + std::to_string(++n) + " of " + where);
    }
  }
  return out;
}

std::optional<SoundSetting> StepReader::sound(const toml::table& table, const std::string& where,
                                              const Fade& step_fade) {
  TableReader reader(table, where, diagnostics_);
  SoundSetting sound;
  sound.fade = read_fade(reader, step_fade);
  sound.mute = reader.boolean("mute", Need::optional).value_or(false);
  bool ok = true;
  if (!sound.mute) {
    sound.source = reader.string("source", Need::required).value_or("");
    auto level = reader.decibels("level", Need::required, 0.0, 140.0);
    if (level && *level > room_.limits.sound.max_dba) {
      reader.error_at_key("level", "sound level " + format_number(*level) + " dB in " + where +
                                       " exceeds the room limit limits.sound.max_dba = " +
                                       format_number(room_.limits.sound.max_dba) +
                                       ": lower the level");
      ok = false;
    }
    ok = ok && level && !sound.source.empty();
    if (level) sound.level_dba = *level;
  }
  reader.finish();
  used_.insert(DeviceKind::sound);
  if (!ok) return std::nullopt;
  return sound;
}

// S8 at load: one timed step may not spin longer in one direction than the room allows before
// a pause. (Across steps, and for steps that wait for "go", the limiter pauses at run time.)
bool StepReader::check_revolutions(const SwingSetting& swing, Millis duration,
                                   const std::string& named, TableReader& reader,
                                   const toml::table& swing_table) {
  const RotaryLimits& limits = room_.limits.rotary;
  if (swing.mode != SwingMode::rotary || swing.speed_rev_s <= 0.0) return true;
  double seconds = std::chrono::duration<double>(duration).count();
  double revolutions = swing.speed_rev_s * seconds;
  if (revolutions <= limits.max_revolutions) return true;
  double longest = limits.max_revolutions / swing.speed_rev_s;
  reader.error_at(swing_table.source(),
                  "the swing of " + named + " spins " + format_number(revolutions) +
                      " revolutions in one direction (" + format_number(swing.speed_rev_s) +
                      " rev/s for " + format_number(seconds) +
                      " s), more than limits.rotary.max_revolutions = " +
                      std::to_string(limits.max_revolutions) + ": make the step at most " +
                      format_number(longest) + " s long, then rest for at least " +
                      format_number(limits.min_pause_s) + " s");
  return false;
}

std::optional<Step> StepReader::step(const toml::table& table, const std::string& where,
                                     bool wind_down) {
  TableReader reader(table, where, diagnostics_);
  Step step;
  bool ok = true;
  step.name = reader.string("name", Need::required).value_or("");
  std::string named =
      step.name.empty() ? where : "step '" + step.name + "' of profile '" + profile_.id + "'";
  auto duration = reader.duration("duration", Need::optional, 1s, 24h);
  auto wait = reader.boolean("wait_for_go", Need::optional).value_or(false);
  if (wait && wind_down) {
    reader.error_at_key("wait_for_go", "a wind-down step (" + named +
                                           ") cannot wait for the therapist: give it a duration");
    ok = false;
  } else if (wait && duration) {
    reader.error_at_key("duration", named + " has both a duration and wait_for_go: keep one");
    ok = false;
  } else if (!wait && !duration) {
    reader.error_at(table.source(), named +
                                        " needs a duration (such as \"2m\") or "
                                        "wait_for_go = true");
    ok = false;
  }
  step.duration = wait ? std::nullopt : duration;
  Fade step_fade = read_fade(reader, Fade{});
  const toml::table* swing_table = reader.table("swing", Need::optional);
  if (swing_table != nullptr) {
    if (auto s = swing(*swing_table, "the swing of " + named, step_fade)) {
      step.swing = *s;
    } else {
      ok = false;
    }
  }
  step.lights = lights(reader, named, step_fade, step.duration, ok);
  if (const toml::table* sound_table = reader.table("sound", Need::optional)) {
    if (auto s = sound(*sound_table, "the sound of " + named, step_fade)) {
      step.sound = *s;
    } else {
      ok = false;
    }
  }
  if (step.duration) {
    auto check_fade = [&](const Fade& fade, const char* channel) {
      if (fade.time > *step.duration) {
        reader.error_at(table.source(), "the " + std::string{channel} + " fade of " + named +
                                            " is longer than the step: shorten the fade or "
                                            "lengthen the step");
        ok = false;
      }
    };
    if (step.swing) check_fade(step.swing->fade, "swing");
    for (const auto& l : step.lights) check_fade(l.fade, "light");
    if (step.sound) check_fade(step.sound->fade, "sound");
    if (step.swing &&
        !check_revolutions(*step.swing, *step.duration, named, reader, *swing_table)) {
      ok = false;
    }
  }
  reader.finish();
  if (!ok) return std::nullopt;
  return step;
}

}  // namespace sensoryd::config
