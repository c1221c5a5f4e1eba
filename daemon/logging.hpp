// Where sensoryd's log lines go: the journal, with priorities, when systemd connected stderr
// to it; otherwise stderr with timestamps. Written by a logging thread of its own.
#pragma once

#include <string>

namespace sensoryd {

// `level` is one of trace, debug, info, warn, error.
void setup_logging(const std::string& level);
// Writes the lines still waiting and ends the logging thread (before the process exits).
void finish_logging();

// Calls finish_logging() when it goes out of scope, whichever way main() returns.
struct LoggingSession {
  explicit LoggingSession(const std::string& level) { setup_logging(level); }
  ~LoggingSession() { finish_logging(); }
  LoggingSession(const LoggingSession&) = delete;
  LoggingSession& operator=(const LoggingSession&) = delete;
};

}  // namespace sensoryd
