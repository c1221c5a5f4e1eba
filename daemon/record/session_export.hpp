// One child's sessions from the clinical session log, as CSV (one row per session) or JSON
// (each session with all its records), for the child's clinical record. Pure: records in, text
// out.
#pragma once

#include <string>
#include <vector>

namespace sensoryd {

enum class ExportFormat { csv, json };

// `records` are the log's lines (JSON objects); sessions are those whose session_started names
// `child`, with every record that carries their session_id, in log order.
std::string export_child_sessions(const std::vector<std::string>& records, const std::string& child,
                                  ExportFormat format);

}  // namespace sensoryd
