#include "daemon/record/status_json.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>

#include <nlohmann/json.hpp>

#include "config/profile_form.hpp"
#include "config/profile_loader.hpp"
#include "config/units.hpp"
#include "daemon/record/json_writer.hpp"
#include "daemon/session/child_rules.hpp"
#include "daemon/session/json_text.hpp"
#include "daemon/session/utc_time.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

double tenths(double value) {
  return std::round(value * 10.0) / 10.0;
}

// An optional number to a tenth, or null.
void tenths_or_null(JsonWriter& w, const std::optional<double>& value) {
  if (value) {
    w.number(tenths(*value));
  } else {
    w.null();
  }
}

// An optional time as UTC text, or null.
void utc_or_null(JsonWriter& w, const std::optional<std::chrono::system_clock::time_point>& t) {
  if (t) {
    w.string(utc_text(*t));
  } else {
    w.null();
  }
}

}  // namespace

std::string session_json(const SessionSnapshot& s, std::string_view instance) {
  // Written straight out, keys in byte order (json_writer.hpp): rendered at every change and
  // each second while a session runs.
  bool active = s.state != SessionState::idle;
  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  w.begin_object();
  w.key("allowed_actions").begin_array();
  for (Action action : s.allowed_actions) w.string(to_string(action));
  w.end_array();
  w.key("child").string_or_null(s.child);
  w.key("elapsed_s").number(tenths(s.elapsed_s));
  w.key("instance").string(instance);
  w.key("intensity").number(s.intensity);
  w.key("pause_reason").string_or_null(s.pause_reason);
  w.key("profile");
  if (active) {
    w.string(s.profile_id);
  } else {
    w.null();
  }
  w.key("remaining_s").number(tenths(s.remaining_s));
  w.key("session_id");
  if (active) {
    w.string(s.session_id);
  } else {
    w.null();
  }
  w.key("state").string(to_string(s.state));
  w.key("step");
  if (active && s.step_index >= 0) {
    w.begin_object();
    w.key("index").integer(s.step_index);
    w.key("name").string(s.step_name);
    tenths_or_null(w.key("remaining_s"), s.step_remaining_s);
    w.end_object();
  } else {
    w.null();
  }
  w.key("therapist").string_or_null(s.therapist);
  w.key("waiting_for_go").boolean(s.waiting_for_go);
  w.end_object();
  return out;
}

namespace {

// A profile's entry in the `profiles` list, without its content.
json profile_entry(const config::Profile& profile) {
  json steps = json::array();
  for (const auto& step : profile.steps) {
    json duration = nullptr;  // waits for the therapist's "go"
    if (step.duration) duration = std::chrono::duration<double>(*step.duration).count();
    steps.push_back({{"name", step.name}, {"duration_s", duration}});
  }
  return {{"id", profile.id},
          {"title", profile.title},
          {"purpose", profile.purpose},
          {"origin", profile.origin == config::ProfileOrigin::authored ? "authored" : "room"},
          {"version", profile.version},
          {"sha256", profile.sha256},
          {"duration_s", std::chrono::duration<double>(profile.total_duration()).count()},
          {"needs", json::array({"swing_drive"})},
          {"steps", steps}};
}

json content_of(const config::Profile& profile) {
  return profile.content.empty() ? json(nullptr) : json::parse(profile.content, nullptr, false);
}

}  // namespace

std::string profiles_json(const std::map<std::string, config::Profile>& profiles) {
  // The list first, every content left out; then each profile's whole form put in while the
  // message stays within its bound (the editor opens a profile from it, docs/profiles.md).
  json list = json::array();
  for (const auto& [id, profile] : profiles) {
    json entry = profile_entry(profile);
    entry["content"] = nullptr;
    entry["content_omitted"] = true;
    list.push_back(std::move(entry));
  }
  std::size_t bytes = list.dump().size();
  constexpr std::size_t kLeftOut = sizeof("null,\"content_omitted\":true") - 1;
  std::size_t i = 0;
  for (const auto& [id, profile] : profiles) {
    json& entry = list[i++];
    json content = content_of(profile);
    std::size_t with = content.dump().size();
    if (bytes - kLeftOut + with <= kMaxProfilesMessageBytes) {
      bytes = bytes - kLeftOut + with;
      entry["content"] = std::move(content);
      entry.erase("content_omitted");
    }
  }
  return json_text(list);
}

std::size_t profiles_json_bytes(const std::map<std::string, config::Profile>& profiles,
                                const config::Profile& added) {
  json list = json::array();
  auto add = [&](const config::Profile& profile) {
    json entry = profile_entry(profile);
    entry["content"] = content_of(profile);
    list.push_back(std::move(entry));
  };
  for (const auto& [id, profile] : profiles) {
    if (id != added.id) add(profile);
  }
  add(added);
  return list.dump().size();
}

std::string limits_json(const config::Limits& limits) {
  auto seconds = [](config::Millis m) { return std::chrono::duration<double>(m).count(); };
  json out{
      {"swing",
       {{"max_amplitude_deg", limits.swing.max_amplitude_deg},
        {"min_period_s", limits.swing.min_period_s},
        {"max_amplitude_rate_deg_s", limits.swing.max_amplitude_rate_deg_s},
        {"max_period_rate_s_per_s", limits.swing.max_period_rate_s_per_s}}},
      {"rotary",
       {{"max_rate_rev_s", limits.rotary.max_rate_rev_s},
        {"max_revolutions", limits.rotary.max_revolutions},
        {"min_pause_s", limits.rotary.min_pause_s}}},
      {"light",
       {{"max_flashes_per_s", limits.light.max_flashes_per_s},
        {"max_strobe_s", seconds(limits.light.max_strobe)}}},
      {"sound", {{"max_dba", limits.sound.max_dba}, {"max_rise_db_s", limits.sound.max_rise_db_s}}},
      {"session", {{"max_duration_s", seconds(limits.session.max_duration)}}},
      {"profile",
       {{"max_steps", config::kMaxProfileSteps},
        {"max_id_length", config::kMaxProfileIdLength},
        {"id_rule", std::string{config::kProfileIdRule}},
        {"max_command_bytes", config::kMaxProfileCommandBytes},
        {"fade_curves", config::kFadeCurves},
        {"light_effects", config::kLightEffects}}}};
  return json_text(out);
}

std::string children_json(const config::Room& room) {
  json list = json::array();
  for (const auto& [id, child] : room.children) {
    json flags = json::array();
    for (config::ChildFlag flag : child.flags) flags.push_back(config::to_string(flag));
    json refused = json::array();
    for (const auto& [profile_id, profile] : room.profiles) {
      if (auto reason = contraindication(profile, child)) {
        refused.push_back(
            {{"profile", profile_id}, {"code", "contraindicated"}, {"message", *reason}});
      }
    }
    // The plan in force (the room file's, plan_version 0, or a lead's), for the plan editor.
    json plan{{"profiles", child.profiles}, {"flags", flags}};
    if (child.max_amplitude_deg) plan["max_amplitude_deg"] = *child.max_amplitude_deg;
    if (child.rotary_allowed) plan["rotary_allowed"] = *child.rotary_allowed;
    if (child.max_dba) plan["max_dba"] = *child.max_dba;
    if (child.max_brightness_pct)
      plan["max_brightness"] = config::format_number(*child.max_brightness_pct) + "%";
    list.push_back({{"id", id},
                    {"flags", flags},
                    {"contraindicated", refused},
                    {"plan_version", child.plan_version},
                    {"plan", std::move(plan)}});
  }
  return json_text(list);
}

std::string swing_device_json(const devices::Drive& swing) {
  const auto& r = swing.reading();
  json j{{"kind", "swing_drive"},
         {"health", devices::to_string(swing.health())},
         {"watchdog_confirmed", swing.watchdog_confirmed()}};
  if (swing.health() != devices::Health::online) j["detail"] = swing.health_detail();
  if (r.valid) {
    j["angle_deg"] = tenths(r.angle_deg);
    j["amplitude_deg"] = tenths(r.amplitude_deg);
    if (swing.rotary()) j["speed_rev_s"] = std::round(r.speed_rev_s * 1000.0) / 1000.0;
    j["running"] = r.running;
    j["fault_code"] = r.fault_code;
  }
  return json_text(j);
}

std::string input_device_json(const devices::ModbusInput& input) {
  json j{{"kind", "input"},
         {"role", config::to_string(input.role())},
         {"health", devices::to_string(input.health())}};
  if (input.health() != devices::Health::online) j["detail"] = input.health_detail();
  if (input.fresh()) j["active"] = input.active();
  return json_text(j);
}

std::string mqtt_input_device_json(const devices::MqttInput& input) {
  json j{{"kind", "input"},
         {"role", config::to_string(input.role())},
         {"health", devices::to_string(input.health())},
         {"active", input.active()},
         {"presses", input.presses()}};
  if (input.health() != devices::Health::online) j["detail"] = input.health_detail();
  return json_text(j);
}

std::string hex_color(const config::Rgb& c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

std::string light_device_json(const devices::LightFixture& light,
                              const devices::LightCommand& shown) {
  json j{{"kind", "light"},
         {"type", light.type()},
         {"health", devices::to_string(light.health())},
         {"color", hex_color(shown.color)},
         {"brightness_pct", tenths(shown.brightness_pct)}};
  if (light.health() != devices::Health::online) j["detail"] = light.health_detail();
  if (auto reported = light.reported()) {
    j["reported"] = {{"color", hex_color(reported->color)},
                     {"brightness_pct", tenths(reported->brightness_pct)}};
  }
  return json_text(j);
}

std::string sound_device_json(const devices::SoundPlayer& player, double level_dba) {
  json j{{"kind", "sound"},
         {"type", player.type()},
         {"health", devices::to_string(player.health())},
         {"level_dba", tenths(level_dba)}};
  if (player.health() != devices::Health::online) j["detail"] = player.health_detail();
  if (auto reported = player.reported()) {
    j["reported"] = {{"playing", reported->playing},
                     {"source", reported->source},
                     {"volume_pct", tenths(reported->volume_pct)}};
  }
  return json_text(j);
}

std::string safety_json(const SafetyStatus& status) {
  // Written straight out, keys in byte order (json_writer.hpp): rendered at every change of the
  // room's state, for each command a tablet sends.
  std::string out;
  out.reserve(1024);
  JsonWriter w(out);
  w.begin_object();
  w.key("causes").begin_array();
  for (const auto& record : status.interlocks->causes()) {
    auto since = status.wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       status.steady_now - record.since);
    w.begin_object();
    w.key("active").boolean(record.active);
    w.key("cause").string(to_string(record.cause));
    w.key("detail").string(record.detail);
    w.key("latched").boolean(record.latched);
    w.key("since").string(utc_text(since));
    w.key("source").string(record.source);
    w.end_object();
  }
  w.end_array();
  w.key("checks").begin_array();
  for (const auto& check : status.checks) {
    w.begin_object();
    w.key("due").boolean(check.due);
    utc_or_null(w.key("due_at"), check.due_at);
    w.key("guided_by").string_or_null(check.guided_by);
    w.key("input").string(check.input.id);
    w.key("interval_s");
    if (check.input.interval) {
      w.integer(std::chrono::duration_cast<std::chrono::seconds>(*check.input.interval).count());
    } else {
      w.null();
    }
    w.key("last");
    if (check.last) {
      w.begin_object();
      w.key("at").string(utc_text(check.last->at));
      w.key("by").string_or_null(check.last->by);
      w.key("press_to_stop_ms").number(tenths(check.last->press_to_stop_ms));
      w.end_object();
    } else {
      w.null();
    }
    w.key("role").string(config::to_string(check.input.role));
    w.key("stage").string(to_string(check.stage));
    w.end_object();
  }
  w.end_array();
  if (status.refusal) w.key("detail").string(status.refusal.text());
  tenths_or_null(w.key("lease_remaining_s"), status.lease_remaining_s);
  tenths_or_null(w.key("lease_s"), status.lease_s);
  w.key("motion_allowed").boolean(status.motion_allowed);
  w.key("refusal");
  if (status.refusal) {
    w.begin_object();
    w.key("code").string(to_string(status.refusal.code));
    w.key("params").begin_object();
    // In key order, the last of a repeated key kept: as an object built from them holds them.
    const std::string* written = nullptr;
    for (;;) {
      const std::pair<std::string, std::string>* next = nullptr;
      for (const auto& param : status.refusal.params) {
        if (written != nullptr && !(*written < param.first)) continue;
        if (next == nullptr || !(next->first < param.first)) next = &param;
      }
      if (next == nullptr) break;
      w.key(next->first).string(next->second);
      written = &next->first;
    }
    w.end_object();
    w.end_object();
  } else {
    w.null();
  }
  w.key("reset_possible").boolean(status.interlocks->reset_possible());
  w.key("session_log").begin_object();
  if (!status.session_log_error.empty()) w.key("detail").string(status.session_log_error);
  w.key("ok").boolean(status.session_log_error.empty());
  w.end_object();
  w.key("tripped").boolean(status.interlocks->tripped());
  w.key("validation");
  if (const ValidationState* v = status.validation) {
    w.begin_object();
    w.key("current").boolean(v->current());
    w.key("last");
    if (v->last()) {
      w.begin_object();
      w.key("at").string(utc_text(v->last()->at));
      w.key("by").string(v->last()->by);
      w.key("safety_sha256").string(v->last()->safety_sha256);
      w.end_object();
    } else {
      w.null();
    }
    utc_or_null(w.key("outdated_since"), v->outdated_since());
    w.key("required").boolean(v->required());
    w.key("safety_sha256").string(v->safety_sha256());
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
  return out;
}

namespace {

json fields_object(const Fields& fields) {
  json j = json::object();
  for (const auto& field : fields) {
    j[field.key] = std::visit(
        [](const auto& value) {
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, JsonText>) {
            return json::parse(value.text, nullptr, false);
          } else {
            return json(value);
          }
        },
        field.value);
  }
  return j;
}

}  // namespace

std::string fields_json(const Fields& fields) {
  return json_text(fields_object(fields));
}

std::string event_json(std::chrono::system_clock::time_point ts, const Record& record) {
  json j = fields_object(record.fields);
  j["ts"] = utc_text(ts);
  j["type"] = name_of(record.type);
  return json_text(j);
}

}  // namespace sensoryd
