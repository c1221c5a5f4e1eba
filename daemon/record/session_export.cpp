#include "daemon/record/session_export.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "daemon/session/json_text.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string text_of(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return json_text(value);
}

struct Session {
  json started;
  json ended;  // null while the log has no end for it
  std::vector<json> records;
  int count(const std::string& type) const {
    int n = 0;
    for (const auto& r : records) n += r.value("type", "") == type ? 1 : 0;
    return n;
  }
};

}  // namespace

std::string export_child_sessions(const std::vector<std::string>& records, const std::string& child,
                                  ExportFormat format) {
  std::vector<std::string> order;
  std::map<std::string, Session> sessions;
  for (const auto& line : records) {
    json record = json::parse(line, nullptr, false);
    if (!record.is_object()) continue;
    std::string id = record.value("session_id", "");
    if (id.empty()) continue;
    std::string type = record.value("type", "");
    if (type == "session_started") {
      if (record.value("child", "") != child) continue;
      order.push_back(id);
      sessions[id].started = record;
    }
    auto it = sessions.find(id);
    if (it == sessions.end()) continue;
    it->second.records.push_back(record);
    if (type == "session_ended") it->second.ended = record;
  }

  if (format == ExportFormat::json) {
    json out = json::array();
    for (const auto& id : order) {
      const Session& s = sessions[id];
      out.push_back({{"session_id", id},
                     {"child", child},
                     {"profile", s.started.value("profile", "")},
                     {"therapist", s.started.value("therapist", "")},
                     {"intensity", s.started.value("intensity", 1.0)},
                     {"started", s.started.value("ts", "")},
                     {"ended", s.ended.is_null() ? json(nullptr) : s.ended["ts"]},
                     {"end_reason", s.ended.is_null() ? json(nullptr) : s.ended["reason"]},
                     {"records", s.records}});
    }
    return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }

  std::string csv =
      "session_id,child,profile,therapist,intensity,started,ended,end_reason,steps,pauses,"
      "adjustments,clamps,trips\n";
  for (const auto& id : order) {
    const Session& s = sessions[id];
    std::vector<std::string> fields{id,
                                    child,
                                    s.started.value("profile", ""),
                                    s.started.value("therapist", ""),
                                    text_of(s.started.value("intensity", json(1.0))),
                                    s.started.value("ts", ""),
                                    s.ended.is_null() ? "" : text_of(s.ended["ts"]),
                                    s.ended.is_null() ? "" : text_of(s.ended["reason"]),
                                    std::to_string(s.count("step_changed")),
                                    std::to_string(s.count("session_paused")),
                                    std::to_string(s.count("intensity_adjusted")),
                                    std::to_string(s.count("limit_clamped")),
                                    std::to_string(s.count("interlock_tripped"))};
    for (std::size_t i = 0; i < fields.size(); ++i) {
      csv += (i == 0 ? "" : ",") + csv_field(fields[i]);
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace sensoryd
