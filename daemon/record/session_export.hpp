// One child's sessions from the clinical session log, for the child's clinical record: CSV (one
// row per session, with its dose and responses), JSON (each session with all its records), or a
// FHIR R4 Bundle (docs/clinical-record.md) that a records system imports. Pure: records in, text
// out.
#pragma once

#include <string>
#include <vector>

#include "daemon/record/child_sessions.hpp"

namespace sensoryd {

enum class ExportFormat { csv, json, fhir };

// `records` are the log's lines (JSON objects); sessions are those whose session_started names
// `child` and started within `period`, with every record that carries their session_id, in log
// order. `exported_at` (UTC text) is the FHIR Bundle's timestamp.
std::string export_child_sessions(const std::vector<std::string>& records, const std::string& child,
                                  ExportFormat format, const Period& period = {},
                                  const std::string& exported_at = {});

}  // namespace sensoryd
