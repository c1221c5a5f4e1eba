#include "daemon/record/child_sessions.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "daemon/session/command.hpp"
#include "daemon/session/event_type.hpp"
#include "daemon/session/json_text.hpp"
#include "daemon/session/utc_time.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

std::optional<int> integer(const json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

}  // namespace

std::vector<LoggedSession> child_sessions(const std::vector<std::string>& lines,
                                          const std::string& child, const Period& period) {
  std::vector<LoggedSession> sessions;
  std::map<std::string, std::size_t> index;  // session id -> position in `sessions`
  for (const auto& line : lines) {
    json record = json::parse(line, nullptr, false);
    if (!record.is_object()) continue;
    std::string id = record.value("session_id", "");
    if (id.empty()) continue;
    std::optional<EventType> type = event_named(record.value("type", ""));
    std::string ts = record.value("ts", "");
    if (type == EventType::session_started) {
      if (record.value("child", "") != child) continue;
      if (!period.since.empty() && ts < period.since) continue;
      if (!period.until.empty() && ts >= period.until) continue;
      LoggedSession s;
      s.id = id;
      s.child = child;
      s.room = record.value("room", "");
      s.profile = record.value("profile", "");
      s.therapist = record.value("therapist", "");
      s.intensity = record.value("intensity", 1.0);
      s.started = ts;
      index[id] = sessions.size();
      sessions.push_back(std::move(s));
    }
    auto it = index.find(id);
    if (it == index.end()) continue;
    LoggedSession& s = sessions[it->second];
    s.records.push_back(line);
    if (type == EventType::session_ended) {
      s.ended = ts;
      s.end_reason = record.value("reason", "");
      if (auto dose = record.find("dose"); dose != record.end() && dose->is_object()) {
        s.dose = json_text(*dose);
      }
    } else if (type == EventType::session_note) {
      s.notes.push_back({ts, record.value("therapist", ""), record.value("text", "")});
    } else if (type == EventType::session_response) {
      s.responses.push_back({ts, record.value("therapist", ""), integer(record, "before"),
                             integer(record, "after"), record.value("goal", ""),
                             integer(record, "goal_progress")});
    } else if (type == EventType::step_changed) {
      ++s.steps;
    } else if (type == EventType::session_paused) {
      ++s.pauses;
    } else if (type == EventType::intensity_adjusted) {
      ++s.adjustments;
    } else if (type == EventType::limit_clamped) {
      ++s.clamps;
    } else if (type == EventType::interlock_tripped) {
      ++s.trips;
    }
  }
  return sessions;
}

std::optional<std::string> period_bound(const std::string& text) {
  if (text.size() == 10) {
    // A date: its midnight, UTC.
    auto time = parse_utc_timestamp(text + "T00:00:00Z");
    if (!time) return std::nullopt;
    return text;
  }
  // A time: in the form the log's `ts` has, milliseconds and all, so that texts compare as times.
  auto time = parse_utc_timestamp(text);
  if (!time) return std::nullopt;
  return utc_text(*time, UtcPrecision::milliseconds);
}

}  // namespace sensoryd
