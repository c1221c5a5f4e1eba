#include "daemon/record/status_json.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "config/profile_form.hpp"
#include "config/profile_loader.hpp"
#include "config/units.hpp"
#include "daemon/session/child_rules.hpp"
#include "daemon/session/json_text.hpp"
#include "daemon/session/utc_time.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

double tenths(double value) {
  return std::round(value * 10.0) / 10.0;
}

json or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

}  // namespace

std::string session_json(const SessionSnapshot& s, std::string_view instance) {
  bool active = s.state != SessionState::idle;
  json j{{"state", to_string(s.state)},
         {"profile", active ? json(s.profile_id) : json(nullptr)},
         {"session_id", active ? json(s.session_id) : json(nullptr)},
         {"step", nullptr},
         {"elapsed_s", tenths(s.elapsed_s)},
         {"remaining_s", tenths(s.remaining_s)},
         {"intensity", s.intensity},
         {"waiting_for_go", s.waiting_for_go},
         {"pause_reason", or_null(s.pause_reason)},
         {"child", or_null(s.child)},
         {"therapist", or_null(s.therapist)},
         {"instance", std::string(instance)}};
  json allowed = json::array();
  for (Action action : s.allowed_actions) allowed.push_back(std::string{to_string(action)});
  j["allowed_actions"] = allowed;
  if (active && s.step_index >= 0) {
    j["step"] = {
        {"index", s.step_index},
        {"name", s.step_name},
        {"remaining_s", s.step_remaining_s ? json(tenths(*s.step_remaining_s)) : json(nullptr)}};
  }
  return json_text(j);
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
  json causes = json::array();
  for (const auto& record : status.interlocks->causes()) {
    auto since = status.wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       status.steady_now - record.since);
    causes.push_back({{"cause", to_string(record.cause)},
                      {"source", record.source},
                      {"since", utc_text(since)},
                      {"active", record.active},
                      {"latched", record.latched},
                      {"detail", record.detail}});
  }
  json lease = nullptr;
  if (status.lease_remaining_s) lease = tenths(*status.lease_remaining_s);
  json j{{"motion_allowed", status.motion_allowed},
         {"tripped", status.interlocks->tripped()},
         {"causes", causes},
         {"reset_possible", status.interlocks->reset_possible()},
         {"lease_remaining_s", lease},
         {"lease_s", status.lease_s ? json(tenths(*status.lease_s)) : json(nullptr)}};
  if (status.refusal) {
    json params = json::object();
    for (const auto& [key, value] : status.refusal.params) params[key] = value;
    j["detail"] = status.refusal.text();
    j["refusal"] = {{"code", to_string(status.refusal.code)}, {"params", params}};
  } else {
    j["refusal"] = nullptr;
  }
  json checks = json::array();
  for (const auto& check : status.checks) {
    json last = nullptr;
    if (check.last) {
      last = {{"at", utc_text(check.last->at)},
              {"by", check.last->by.empty() ? json(nullptr) : json(check.last->by)},
              {"press_to_stop_ms", tenths(check.last->press_to_stop_ms)}};
    }
    checks.push_back(
        {{"input", check.input.id},
         {"role", config::to_string(check.input.role)},
         {"interval_s",
          check.input.interval
              ? json(
                    std::chrono::duration_cast<std::chrono::seconds>(*check.input.interval).count())
              : json(nullptr)},
         {"due", check.due},
         {"due_at", check.due_at ? json(utc_text(*check.due_at)) : json(nullptr)},
         {"stage", to_string(check.stage)},
         {"guided_by", check.guided_by.empty() ? json(nullptr) : json(check.guided_by)},
         {"last", last}});
  }
  j["checks"] = checks;
  if (const ValidationState* v = status.validation) {
    json last = nullptr;
    if (v->last()) {
      last = {{"by", v->last()->by},
              {"at", utc_text(v->last()->at)},
              {"safety_sha256", v->last()->safety_sha256}};
    }
    auto since = v->outdated_since();
    j["validation"] = {{"safety_sha256", v->safety_sha256()},
                       {"current", v->current()},
                       {"required", v->required()},
                       {"outdated_since", since ? json(utc_text(*since)) : json(nullptr)},
                       {"last", last}};
  } else {
    j["validation"] = nullptr;
  }
  j["session_log"] = status.session_log_error.empty()
                         ? json{{"ok", true}}
                         : json{{"ok", false}, {"detail", status.session_log_error}};
  return json_text(j);
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
