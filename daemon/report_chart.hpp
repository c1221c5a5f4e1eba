// Draws a child's chart of dose and response per session (--report-child --chart) with gnuplot,
// Debian's plotting program, run as a child process.
#pragma once

#include <string>
#include <vector>

#include "daemon/record/child_sessions.hpp"

namespace sensoryd {

// Writes the chart to `file`; returns an empty string, or what went wrong in words.
std::string draw_chart(const std::vector<LoggedSession>& sessions, const std::string& child,
                       const std::string& file);

}  // namespace sensoryd
