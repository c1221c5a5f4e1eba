// One child's sessions as the clinical session log holds them: each session's start and end,
// its dose, the therapists' notes and the child's responses, and every record that carries its
// id. What the export and the per-child report are made from. Pure: log lines in.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sensoryd {

// Which sessions, by when they started: UTC texts ("2026-11-01" or "2026-11-01T08:00:00Z"),
// `since` inclusive, `until` exclusive; empty: unbounded.
struct Period {
  std::string since;
  std::string until;
};

struct SessionNote {
  std::string ts;
  std::string therapist;
  std::string text;
};

struct SessionResponse {
  std::string ts;
  std::string therapist;
  std::optional<int> before;
  std::optional<int> after;
  std::string goal;
  std::optional<int> goal_progress;
};

struct LoggedSession {
  std::string id;
  std::string child;
  std::string room;
  std::string profile;
  std::string therapist;
  double intensity = 1.0;
  std::string started;     // UTC text
  std::string ended;       // empty while the log has no end for it
  std::string end_reason;  // stopped, completed, estop, interrupted, ...
  std::string dose;        // the session_ended record's dose object as JSON; empty: none
  std::vector<SessionNote> notes;
  std::vector<SessionResponse> responses;
  int steps = 0;
  int pauses = 0;
  int adjustments = 0;
  int clamps = 0;
  int trips = 0;
  std::vector<std::string> records;  // every record of the session, as logged

  // The latest value the responses gave `field` (a later response corrects an earlier one).
  std::optional<int> latest(std::optional<int> SessionResponse::*field) const {
    std::optional<int> value;
    for (const auto& r : responses) {
      if (r.*field) value = r.*field;
    }
    return value;
  }
};

// The log's lines (JSON objects) in, the sessions whose session_started names `child` and
// started within `period` out, in log order.
std::vector<LoggedSession> child_sessions(const std::vector<std::string>& lines,
                                          const std::string& child, const Period& period = {});

// A date or time a user typed for --since / --until, as the UTC text sessions are compared
// with; nothing when it is neither "YYYY-MM-DD" nor "YYYY-MM-DDTHH:MM:SSZ".
std::optional<std::string> period_bound(const std::string& text);

}  // namespace sensoryd
