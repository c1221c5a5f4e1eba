#include "daemon/record/validation_report.hpp"

#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/units.hpp"
#include "daemon/record/session_log.hpp"
#include "daemon/session/event_type.hpp"
#include "daemon/session/utc_time.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

std::string num(double value) {
  return config::format_number(value);
}
std::string dur(config::Millis value) {
  return config::format_duration(value);
}
std::string interval(const std::optional<config::Millis>& value) {
  return value ? dur(*value) : std::string{"off"};
}

// The last record of each kind of evidence, in words with its time.
class Evidence {
 public:
  void saw(const std::string& key, const json& record, const std::string& words) {
    last_[key] = record.value("ts", "?") + ": " + words;
  }
  std::vector<std::string> of(std::initializer_list<std::string> keys) const {
    std::vector<std::string> out;
    for (const auto& key : keys) {
      if (auto it = last_.find(key); it != last_.end()) out.push_back(it->second);
    }
    return out;
  }

 private:
  std::map<std::string, std::string> last_;
};

Evidence read_evidence(const std::vector<std::string>& records) {
  Evidence e;
  for (const auto& line : records) {
    auto r = json::parse(line, nullptr, false);
    if (!r.is_object()) continue;
    auto type = event_named(r.value("type", ""));
    if (!type) continue;
    switch (*type) {
      case EventType::interlock_tripped: {
        std::string cause = r.value("cause", "");
        e.saw("trip:" + cause, r,
              "tripped " + cause + " (" + r.value("detail", "") + "), the drive stopped");
        break;
      }
      case EventType::watchdog_confirmed:
        e.saw("watchdog", r,
              "the drive " + r.value("device", "") + "'s comm-loss watchdog (" +
                  std::to_string(r.value("comm_loss_timeout_ms", 0)) +
                  " ms) written and read back");
        break;
      case EventType::interlock_reset:
        e.saw("reset", r, "reset of " + r.value("cause", "") + " after its cause was gone");
        break;
      case EventType::safety_check_passed: {
        std::string by = r.value("by", "");
        std::ostringstream words;
        words << "check of " << r.value("input", "") << " passed ("
              << (by.empty() ? std::string{"in use"} : "by " + by) << "), press -> stop write "
              << num(r.value("press_to_stop_ms", 0.0)) << " ms";
        e.saw("check:" + r.value("input", ""), r, words.str());
        break;
      }
      case EventType::limit_clamped:
        e.saw("clamp:" + r.value("channel", "") + ":" + r.value("limit", ""), r,
              r.value("channel", "") + " held at " + r.value("limit", "") + " (by " +
                  r.value("by", "") + ")");
        break;
      case EventType::session_ended:
        if (r.value("reason", "") == "session_length_cap") {
          e.saw("cap", r, "session " + r.value("session_id", "") + " ended at the length cap");
        }
        break;
      case EventType::session_paused:
        if (r.value("reason", "") == "lease_lapsed") {
          e.saw("lease", r, "session " + r.value("session_id", "") + " paused: the lease lapsed");
        }
        break;
      case EventType::command_refused: {
        std::string code = r.value("code", "");
        if (code == "retained_command" || code == "stale_command") {
          e.saw("fresh:" + code, r, r.value("action", "") + " refused " + code);
        }
        break;
      }
      default:
        break;
    }
  }
  return e;
}

std::string input_words(const config::Device& device, const config::Input& input) {
  std::ostringstream out;
  if (const auto* m = input.modbus()) {
    out << "bus " << m->modbus.bus << " unit " << m->modbus.unit << " "
        << config::to_string(m->contact.table) << " " << m->contact.address << ", "
        << (input.active_low ? "active low (the contact opens when pressed)" : "active high")
        << ", polled every " << dur(m->modbus.poll_period);
  } else {
    out << "over MQTT";
  }
  return device.id + ": " + out.str();
}

}  // namespace

bool logged_function(const std::string& id) {
  for (const char* unlogged : {"S1", "S16", "S18", "S19", "S20", "-"}) {
    if (id == unlogged) return false;
  }
  return true;
}

ValidationReport validation_report(const config::Room& room, const config::Fingerprint& print,
                                   const std::vector<std::string>& log_records,
                                   std::chrono::system_clock::time_point now) {
  ValidationReport report;
  report.room = room.id;
  report.config_file = room.source.string();
  report.generated_at = utc_text(now, UtcPrecision::seconds);
  report.config_sha256 = print.sha256;
  report.safety_sha256 = print.safety_sha256;
  for (const auto& file : print.files) {
    bool profile = false;
    for (const auto& [id, p] : room.profiles) profile = profile || p.source.string() == file.path;
    if (!profile) report.safety_files.push_back(file.sha256 + "  " + file.path);
  }
  auto history = SessionLog::validation_history(log_records);
  if (!history.last) {
    report.validation = "never signed on this room's computer";
  } else {
    const auto& last = *history.last;
    report.validation_current = last.safety_sha256 == print.safety_sha256;
    report.validation =
        "signed by " + last.by + " at " + utc_text(last.at, UtcPrecision::seconds) +
        (report.validation_current
             ? ": current (this configuration)"
             : ": OUTDATED: it signed " + last.safety_sha256 +
                   (history.changed_at
                        ? ", changed at " + utc_text(*history.changed_at, UtcPrecision::seconds)
                        : std::string{}));
  }

  const config::Limits& l = room.limits;
  Evidence e = read_evidence(log_records);
  std::vector<std::string> estops, doors, estop_checks, door_checks;
  for (const auto& device : room.devices) {
    const auto* input = device.as<config::Input>();
    if (input == nullptr) continue;
    if (input->role == config::InputRole::estop) {
      estops.push_back(input_words(device, *input));
      estop_checks.push_back("check:" + device.id);
    } else if (input->role == config::InputRole::door) {
      doors.push_back(input_words(device, *input));
      door_checks.push_back("check:" + device.id);
    }
  }
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
    return out.empty() ? std::string{"none"} : out;
  };
  auto seen_checks = [&](const std::vector<std::string>& keys) {
    std::vector<std::string> out;
    for (const auto& key : keys) {
      for (auto& line : e.of({key})) out.push_back(std::move(line));
    }
    return out;
  };

  std::vector<std::string> drives;
  for (const auto* device : room.devices_of(config::DeviceKind::swing_drive)) {
    const auto& d = *device->as<config::SwingDrive>();
    drives.push_back(device->id + ": bus " + d.modbus.bus + " unit " +
                     std::to_string(d.modbus.unit) + ", polled every " + dur(d.modbus.poll_period) +
                     ", comm-loss timeout " + dur(d.comm_loss_timeout) +
                     " (written and read back at every connect), " +
                     std::to_string(d.setup.size()) + " setup write(s) read back");
  }
  std::vector<std::string> buses;
  for (const auto& bus : room.buses) {
    buses.push_back(bus.id + ": response timeout " + dur(bus.response_timeout));
  }

  auto& f = report.functions;
  f.push_back({"S1", "One gate", {{"swing drives", join(drives)}}, {}});
  f.push_back({"S2",
               "Start safe",
               {{"drives", join(drives)}, {"safety inputs", join(estops) + "; " + join(doors)}},
               e.of({"watchdog"})});
  auto estop_seen = seen_checks(estop_checks);
  for (auto& line : e.of({"trip:estop_input", "trip:estop_command"})) estop_seen.push_back(line);
  f.push_back({"S3",
               "E-stop",
               {{"inputs", join(estops)},
                {"limits.swing.max_deceleration_deg_s", num(l.swing.max_deceleration_deg_s)},
                {"limits.sound.mute_fade", dur(l.sound.mute_fade)}},
               estop_seen});
  f.push_back({"S4", "Reset", {}, e.of({"reset"})});
  f.push_back({"S5",
               "Device lost",
               {{"limits.devices.lost_after_polls", std::to_string(l.devices.lost_after_polls)},
                {"buses", join(buses)}},
               e.of({"trip:device_lost", "trip:device_fault", "trip:safety_input_stale"})});
  f.push_back({"S6", "sensoryd dies or hangs", {{"drives", join(drives)}}, e.of({"watchdog"})});
  f.push_back({"S7",
               "Swing limits",
               {{"limits.swing.max_amplitude_deg", num(l.swing.max_amplitude_deg)},
                {"limits.swing.min_period_s", num(l.swing.min_period_s)},
                {"limits.swing.max_amplitude_rate_deg_s", num(l.swing.max_amplitude_rate_deg_s)},
                {"limits.swing.max_period_rate_s_per_s", num(l.swing.max_period_rate_s_per_s)}},
               e.of({"clamp:swing:max_amplitude_deg", "clamp:swing:min_period_s"})});
  f.push_back({"S8",
               "Rotary limits",
               {{"limits.rotary.max_rate_rev_s", num(l.rotary.max_rate_rev_s)},
                {"limits.rotary.max_revolutions", std::to_string(l.rotary.max_revolutions)},
                {"limits.rotary.min_pause_s", num(l.rotary.min_pause_s)},
                {"limits.rotary.max_accel_rev_s2", num(l.rotary.max_accel_rev_s2)}},
               e.of({"clamp:swing:max_rate_rev_s", "clamp:swing:max_revolutions",
                     "clamp:swing:min_pause_s"})});
  f.push_back({"S9",
               "Flash limit",
               {{"limits.light.max_flashes_per_s", std::to_string(l.light.max_flashes_per_s)}},
               e.of({"clamp:light:flash"})});
  f.push_back({"S10",
               "Strobe",
               {{"limits.light.max_strobe", dur(l.light.max_strobe)}},
               e.of({"clamp:light:max_strobe"})});
  f.push_back({"S11",
               "Sound",
               {{"limits.sound.max_dba", num(l.sound.max_dba)},
                {"limits.sound.max_rise_db_s", num(l.sound.max_rise_db_s)}},
               e.of({"clamp:sound:max_dba"})});
  f.push_back({"S12",
               "Session length",
               {{"limits.session.max_duration", dur(l.session.max_duration)}},
               e.of({"cap"})});
  f.push_back({"S13",
               "Supervision lease",
               {{"limits.session.lease_required", l.session.lease_required ? "true" : "false"},
                {"limits.session.lease", dur(l.session.lease)}},
               e.of({"trip:lease_lapsed", "lease"})});
  auto door_seen = seen_checks(door_checks);
  for (auto& line : e.of({"trip:door_open"})) door_seen.push_back(line);
  f.push_back({"S14", "Door", {{"inputs", join(doors)}}, door_seen});
  f.push_back({"S15",
               "Children's caps",
               {{"children", std::to_string(room.children.size())}},
               e.of({"clamp:swing:max_amplitude_deg"})});
  f.push_back(
      {"S16", "Profiles checked", {{"profiles", std::to_string(room.profiles.size())}}, {}});
  f.push_back({"S17",
               "Fresh commands",
               {{"limits.session.max_command_age", dur(l.session.max_command_age)}},
               e.of({"fresh:retained_command", "fresh:stale_command"})});
  f.push_back(
      {"S18", "Logged", {{"clinical log records", std::to_string(log_records.size())}}, {}});
  f.push_back({"S19",
               "Timing isolation",
               {{"limits.devices.safety_input_poll", dur(l.devices.safety_input_poll)}},
               {}});
  f.push_back({"S20",
               "E-stop required",
               {{"limits.devices.estop_required", l.devices.estop_required ? "true" : "false"},
                {"E-stop inputs", std::to_string(estops.size())}},
               {}});
  auto all_checks = seen_checks(estop_checks);
  for (auto& line : seen_checks(door_checks)) all_checks.push_back(std::move(line));
  f.push_back(
      {"S21",
       "Functional checks",
       {{"limits.checks.estop_interval", interval(l.checks.estop_interval)},
        {"limits.checks.door_interval", interval(l.checks.door_interval)},
        {"limits.checks.require_validation", l.checks.require_validation ? "true" : "false"}},
       all_checks});
  std::vector<std::string> loosened;
  for (const auto& limit : l.loosened) {
    loosened.push_back(limit.key + " = " + limit.value + " (" + limit.reason + ")");
  }
  f.push_back({"-", "Loosened limits", {{"loosened", join(loosened)}}, {}});
  return report;
}

std::string report_markdown(const ValidationReport& r) {
  std::ostringstream out;
  out << "# Validation report: room " << r.room << "\n\n"
      << "Generated " << r.generated_at << " from " << r.config_file << " and the clinical log.\n\n"
      << "- Safety configuration SHA-256 (what a sign-off covers): `" << r.safety_sha256 << "`\n";
  for (const auto& file : r.safety_files) out << "  - `" << file << "`\n";
  out << "- Whole configuration SHA-256 (as `config_loaded`, profiles included): `"
      << r.config_sha256 << "`\n"
      << "- Validation: " << r.validation << "\n\n"
      << "| # | Safety function | Parameters as configured | Last seen working (clinical log) |\n"
      << "|---|---|---|---|\n";
  auto cell = [](std::string text) {
    for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) {
      text.replace(at, 1, "\\|");
    }
    return text;
  };
  for (const auto& fn : r.functions) {
    std::string params, seen;
    for (const auto& [key, value] : fn.parameters) {
      params += (params.empty() ? "" : "<br>") + key + " = " + value;
    }
    for (const auto& line : fn.seen) seen += (seen.empty() ? "" : "<br>") + line;
    out << "| " << fn.id << " | " << fn.name << " | " << cell(params.empty() ? "-" : params)
        << " | "
        << cell(!seen.empty()            ? seen
                : logged_function(fn.id) ? "not in the log"
                                         : "(by design; proven by the test suite, docs/safety.md)")
        << " |\n";
  }
  out << "\nSigned (name, role, date): ______________________\n";
  return out.str();
}

std::string report_json(const ValidationReport& r) {
  json functions = json::array();
  for (const auto& fn : r.functions) {
    json params = json::object();
    for (const auto& [key, value] : fn.parameters) params[key] = value;
    functions.push_back(
        {{"id", fn.id}, {"name", fn.name}, {"parameters", params}, {"seen", fn.seen}});
  }
  json j{{"room", r.room},
         {"config_file", r.config_file},
         {"generated_at", r.generated_at},
         {"config_sha256", r.config_sha256},
         {"safety_sha256", r.safety_sha256},
         {"safety_files", r.safety_files},
         {"validation", r.validation},
         {"validation_current", r.validation_current},
         {"functions", functions}};
  return j.dump(2) + "\n";
}

}  // namespace sensoryd
