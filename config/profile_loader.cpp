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

namespace {

// What each part of a profile file is read with: the file's reader, the room it must fit, and
// the profile as read so far (a loop and triggers name its steps).
struct ProfileContext {
  TableReader& reader;
  StepReader& steps_reader;
  const Room& room;
  Diagnostics& diagnostics;
  Profile& profile;
  std::string where;  // "profile 'calm-down'", for messages
};

std::vector<Step> read_steps(ProfileContext& c, std::string_view key, Need need, bool wind_down) {
  std::vector<Step> steps;
  const toml::array* array = c.reader.array(key, need);
  if (array == nullptr) return steps;
  if (array->empty() && need == Need::required) {
    c.reader.error_at_key(key, c.where + " has no steps: add at least one [[steps]] table");
  }
  if (array->size() > kMaxProfileSteps) {
    c.reader.error_at_key(key, c.where + " has " + std::to_string(array->size()) + " " +
                                   std::string{key} + ", more than " +
                                   std::to_string(kMaxProfileSteps) +
                                   ": split it into two profiles");
    return steps;
  }
  int index = 0;
  for (const toml::node& node : *array) {
    ++index;
    std::string step_where = std::string{wind_down ? "wind-down step " : "step "} +
                             std::to_string(index) + " of " + c.where;
    if (!node.is_table()) {
      c.reader.error_at(node.source(),
                        step_where + " must be a table: write it as [[" + std::string{key} + "]]");
      continue;
    }
    if (auto step = c.steps_reader.step(*node.as_table(), step_where, wind_down)) {
      if (index_of(steps, step->name) >= 0) {
        c.reader.error_at(node.source(), "two steps of " + c.where + " are named '" + step->name +
                                             "': give each step its own name");
      }
      steps.push_back(std::move(*step));
    }
  }
  return steps;
}

void read_loop(ProfileContext& c) {
  const toml::table* loop = c.reader.table("loop", Need::optional);
  if (loop == nullptr) return;
  TableReader lr(*loop, "the loop of " + c.where, c.diagnostics);
  auto from = lr.string("from", Need::required);
  auto to = lr.string("to", Need::required);
  auto count = lr.integer("count", Need::required, 2, 100);
  int from_index = from ? index_of(c.profile.steps, *from) : -1;
  int to_index = to ? index_of(c.profile.steps, *to) : -1;
  if (from && from_index < 0)
    lr.error_at_key("from", "no step named '" + *from + "' in " + c.where);
  if (to && to_index < 0) lr.error_at_key("to", "no step named '" + *to + "' in " + c.where);
  if (from_index >= 0 && to_index >= 0 && from_index > to_index) {
    lr.error_at_key("from", "the loop of " + c.where + " runs from '" + *from +
                                "' to an earlier step '" + *to + "': swap from and to");
  }
  if (from_index >= 0 && to_index >= 0 && count && from_index <= to_index) {
    c.profile.loop = Loop{from_index, to_index, static_cast<int>(*count)};
  }
  lr.finish();
}

Trigger read_trigger(ProfileContext& c, const toml::node& node, const std::string& where) {
  TableReader tr(*node.as_table(), where, c.diagnostics);
  Trigger trigger;
  trigger.input = tr.string("input", Need::required).value_or("");
  const Device* input = c.room.find_device(trigger.input);
  if (!trigger.input.empty() && (input == nullptr || !input->as<Input>() ||
                                 input->as<Input>()->role != InputRole::child_switch)) {
    tr.error_at_key("input", "\"" + trigger.input + "\" in " + where +
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
    int i = index_of(c.profile.steps, step_name);
    if (i < 0) {
      tr.error_at_key("steps", "no step named '" + step_name + "' in " + c.where);
    } else {
      trigger.steps.push_back(i);
    }
  }
  bool ok = true;
  std::optional<Millis> effect_length =
      trigger.mode == TriggerMode::timed ? std::optional<Millis>(trigger.duration) : std::nullopt;
  trigger.lights = c.steps_reader.lights(tr, where, Fade{}, effect_length, ok);
  if (const toml::table* sound = tr.table("sound", Need::optional)) {
    trigger.sound = c.steps_reader.sound(*sound, "the sound of " + where, Fade{});
  }
  if (trigger.lights.empty() && !trigger.sound && ok) {
    tr.error_at(node.source(), where + " has no effect: give it lights or sound");
  }
  tr.finish();
  return trigger;
}

void read_triggers(ProfileContext& c) {
  const toml::array* triggers = c.reader.array("triggers", Need::optional);
  if (triggers == nullptr) return;
  int index = 0;
  for (const toml::node& node : *triggers) {
    std::string where = "trigger " + std::to_string(++index) + " of " + c.where;
    if (!node.is_table()) {
      c.reader.error_at(node.source(), where + " must be a table: write it as [[triggers]]");
      continue;
    }
    c.profile.triggers.push_back(read_trigger(c, node, where));
  }
}

// What the profile needs: declared, or else what its steps use; the room must have it.
void read_needs(ProfileContext& c, const toml::table& root) {
  Profile& profile = c.profile;
  auto declared = c.reader.string_list("needs", Need::optional);
  if (declared) {
    for (const auto& kind_name : *declared) {
      auto kind = kind_named(kind_name);
      if (!kind) {
        c.reader.error_at_key("needs", "unknown device kind \"" + kind_name +
                                           "\" in the needs of " + c.where +
                                           ": use swing_drive, light, sound or input");
      } else {
        profile.needs.insert(*kind);
      }
    }
    for (DeviceKind used : c.steps_reader.used()) {
      if (profile.needs.count(used) == 0) {
        c.reader.error_at_key("needs", c.where + " uses " + std::string{to_string(used)} +
                                           " but does not list it in needs: add \"" +
                                           to_string(used) + "\"");
      }
    }
  } else {
    profile.needs = c.steps_reader.used();
  }
  for (DeviceKind kind : profile.needs) {
    bool present = std::any_of(c.room.devices.begin(), c.room.devices.end(),
                               [&](const Device& d) { return d.kind() == kind; });
    if (!present) {
      c.reader.error_at(root.source(), c.where + " needs a " + std::string{to_string(kind)} +
                                           " device, and the room has none: add one to the "
                                           "room or change the profile");
    }
  }
}

}  // namespace

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
  profile.title = reader.string("title", Need::required).value_or("");
  profile.purpose =
      reader.choice("purpose", Need::required, {"calming", "alerting", "organising", "play"})
          .value_or("");
  profile.allow_strobe = reader.boolean("allow_strobe", Need::optional).value_or(false);
  StepReader steps_reader(room, profile, diagnostics);
  ProfileContext c{reader,      steps_reader, room,
                   diagnostics, profile,      "profile '" + profile.id + "'"};
  profile.steps = read_steps(c, "steps", Need::required, false);
  profile.wind_down = read_steps(c, "wind_down", Need::optional, true);
  read_loop(c);
  read_triggers(c);
  read_needs(c, root);
  if (profile.total_duration() > room.limits.session.max_duration) {
    reader.error_at(root.source(), c.where + " runs " +
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
