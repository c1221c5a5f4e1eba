#include "config/profile_loader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/fingerprint.hpp"
#include "config/profile_form.hpp"
#include "config/step_reader.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

int index_of(const std::vector<Step>& steps, const std::string& name) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::optional<DeviceKind> kind_named(const std::string& name) {
  for (DeviceKind kind :
       {DeviceKind::swing_drive, DeviceKind::light, DeviceKind::sound, DeviceKind::input}) {
    if (name == to_string(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace

bool is_profile_id(std::string_view id) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  };
  return !id.empty() && id.size() <= kMaxProfileIdLength && id[0] != '-' && id[0] != '_' &&
         std::all_of(id.begin(), id.end(), allowed);
}

std::optional<Profile> load_profile(std::string_view toml_text, const std::filesystem::path& name,
                                    const Room& room, Diagnostics& diagnostics) {
  auto parsed = parse_toml(toml_text, name.string(), diagnostics);
  if (!parsed) return std::nullopt;
  const toml::table& root = *parsed;
  std::size_t errors_before = diagnostics.errors.size();
  TableReader reader(root, "profile " + name.filename().string(), diagnostics);
  Profile profile;
  profile.source = name;
  profile.id = reader.string("id", Need::required).value_or("");
  if (!profile.id.empty() && !is_profile_id(profile.id)) {
    reader.error_at_key("id", "the id \"" + profile.id + "\" cannot name a profile: use " +
                                  std::string{kProfileIdRule});
  }
  std::string where = "profile '" + profile.id + "'";
  profile.title = reader.string("title", Need::required).value_or("");
  profile.purpose =
      reader.choice("purpose", Need::required, {"calming", "alerting", "organising", "play"})
          .value_or("");
  profile.allow_strobe = reader.boolean("allow_strobe", Need::optional).value_or(false);
  StepReader steps_reader(room, profile, diagnostics);

  auto read_steps = [&](std::string_view key, Need need, bool wind_down) {
    std::vector<Step> steps;
    const toml::array* array = reader.array(key, need);
    if (array == nullptr) return steps;
    if (array->empty() && need == Need::required) {
      reader.error_at_key(key, where + " has no steps: add at least one [[steps]] table");
    }
    if (array->size() > kMaxProfileSteps) {
      reader.error_at_key(key, where + " has " + std::to_string(array->size()) + " " +
                                   std::string{key} + ", more than " +
                                   std::to_string(kMaxProfileSteps) +
                                   ": split it into two profiles");
      return steps;
    }
    int index = 0;
    for (const toml::node& node : *array) {
      ++index;
      std::string step_where = std::string{wind_down ? "wind-down step " : "step "} +
                               std::to_string(index) + " of " + where;
      if (!node.is_table()) {
        reader.error_at(node.source(),
                        step_where + " must be a table: write it as [[" + std::string{key} + "]]");
        continue;
      }
      if (auto step = steps_reader.step(*node.as_table(), step_where, wind_down)) {
        if (index_of(steps, step->name) >= 0) {
          reader.error_at(node.source(), "two steps of " + where + " are named '" + step->name +
                                             "': give each step its own name");
        }
        steps.push_back(std::move(*step));
      }
    }
    return steps;
  };
  profile.steps = read_steps("steps", Need::required, false);
  profile.wind_down = read_steps("wind_down", Need::optional, true);

  if (const toml::table* loop = reader.table("loop", Need::optional)) {
    TableReader lr(*loop, "the loop of " + where, diagnostics);
    auto from = lr.string("from", Need::required);
    auto to = lr.string("to", Need::required);
    auto count = lr.integer("count", Need::required, 2, 100);
    int from_index = from ? index_of(profile.steps, *from) : -1;
    int to_index = to ? index_of(profile.steps, *to) : -1;
    if (from && from_index < 0)
      lr.error_at_key("from", "no step named '" + *from + "' in " + where);
    if (to && to_index < 0) lr.error_at_key("to", "no step named '" + *to + "' in " + where);
    if (from_index >= 0 && to_index >= 0 && from_index > to_index) {
      lr.error_at_key("from", "the loop of " + where + " runs from '" + *from +
                                  "' to an earlier step '" + *to + "': swap from and to");
    }
    if (from_index >= 0 && to_index >= 0 && count && from_index <= to_index) {
      profile.loop = Loop{from_index, to_index, static_cast<int>(*count)};
    }
    lr.finish();
  }

  if (const toml::array* triggers = reader.array("triggers", Need::optional)) {
    int index = 0;
    for (const toml::node& node : *triggers) {
      std::string trigger_where = "trigger " + std::to_string(++index) + " of " + where;
      if (!node.is_table()) {
        reader.error_at(node.source(),
                        trigger_where + " must be a table: write it as [[triggers]]");
        continue;
      }
      TableReader tr(*node.as_table(), trigger_where, diagnostics);
      Trigger trigger;
      trigger.input = tr.string("input", Need::required).value_or("");
      const Device* input = room.find_device(trigger.input);
      if (!trigger.input.empty() && (input == nullptr || !input->as<Input>() ||
                                     input->as<Input>()->role != InputRole::child_switch)) {
        tr.error_at_key("input", "\"" + trigger.input + "\" in " + trigger_where +
                                     " is not a child switch: use the id of an input device with "
                                     "role = \"child_switch\"");
      }
      auto mode = tr.choice("mode", Need::required, {"momentary", "latched", "timed"});
      trigger.mode = mode == "latched" ? TriggerMode::latched
                     : mode == "timed" ? TriggerMode::timed
                                       : TriggerMode::momentary;
      auto duration =
          tr.duration("duration", mode == "timed" ? Need::required : Need::optional, 1s, 10min);
      if (duration) trigger.duration = *duration;
      for (const auto& step_name :
           tr.string_list("steps", Need::optional).value_or(std::vector<std::string>{})) {
        int i = index_of(profile.steps, step_name);
        if (i < 0) {
          tr.error_at_key("steps", "no step named '" + step_name + "' in " + where);
        } else {
          trigger.steps.push_back(i);
        }
      }
      bool ok = true;
      std::optional<Millis> effect_length = trigger.mode == TriggerMode::timed
                                                ? std::optional<Millis>(trigger.duration)
                                                : std::nullopt;
      trigger.lights = steps_reader.lights(tr, trigger_where, Fade{}, effect_length, ok);
      if (const toml::table* sound = tr.table("sound", Need::optional)) {
        trigger.sound = steps_reader.sound(*sound, "the sound of " + trigger_where, Fade{});
      }
      if (trigger.lights.empty() && !trigger.sound && ok) {
        tr.error_at(node.source(), trigger_where + " has no effect: give it lights or sound");
      }
      tr.finish();
      profile.triggers.push_back(std::move(trigger));
    }
  }

  // What the profile needs: declared, or else what its steps use; the room must have it.
  auto declared = reader.string_list("needs", Need::optional);
  if (declared) {
    for (const auto& kind_name : *declared) {
      auto kind = kind_named(kind_name);
      if (!kind) {
        reader.error_at_key("needs", "unknown device kind \"" + kind_name + "\" in the needs of " +
                                         where + ": use swing_drive, light, sound or input");
      } else {
        profile.needs.insert(*kind);
      }
    }
    for (DeviceKind used : steps_reader.used()) {
      if (profile.needs.count(used) == 0) {
        reader.error_at_key("needs", where + " uses " + std::string{to_string(used)} +
                                         " but does not list it in needs: add \"" +
                                         to_string(used) + "\"");
      }
    }
  } else {
    profile.needs = steps_reader.used();
  }
  for (DeviceKind kind : profile.needs) {
    bool present = std::any_of(room.devices.begin(), room.devices.end(),
                               [&](const Device& d) { return d.kind() == kind; });
    if (!present) {
      reader.error_at(root.source(), where + " needs a " + std::string{to_string(kind)} +
                                         " device, and the room has none: add one to the room "
                                         "or change the profile");
    }
  }
  if (profile.total_duration() > room.limits.session.max_duration) {
    reader.error_at(root.source(), where + " runs " +
                                       std::to_string(profile.total_duration().count() / 60000) +
                                       " min, longer than limits.session.max_duration: shorten it");
  }
  reader.finish();
  if (diagnostics.errors.size() != errors_before) return std::nullopt;
  // What ran, for the clinical record, and what the tablet's editor opens.
  profile.sha256 = sha256_hex(toml_text);
  if (auto form = profile_form_from_toml(toml_text)) {
    profile.content = form->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return profile;
}

}  // namespace sensoryd::config
