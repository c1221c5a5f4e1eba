// The answers SessionControl gives a command, and the name it records a command by: one
// definition for session_control.cpp and session_control_checks.cpp.
#pragma once

#include <string>

#include "daemon/session/command.hpp"
#include "daemon/session/session_control.hpp"

namespace sensoryd::outcomes {

inline Outcome refused(std::string code, std::string message) {
  return Outcome{false, std::move(code), std::move(message), {}};
}

inline Outcome done(std::string session_id = {}) {
  return Outcome{true, {}, {}, std::move(session_id)};
}

// Who sent a command, as the log and the records name them.
inline std::string who(const Command& command) {
  return command.therapist.empty() ? "tablet" : command.therapist;
}

}  // namespace sensoryd::outcomes
