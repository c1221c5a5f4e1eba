// The one UTC time formatter: ISO 8601 with a Z, as docs/mqtt-api.md gives times (`ts`, `since`)
// and as session ids begin.
#pragma once

#include <chrono>
#include <string>

namespace sensoryd {

enum class UtcPrecision { seconds, milliseconds };

// "2026-11-28T10:02:11Z" (seconds) or "2026-11-28T10:02:11.250Z" (milliseconds).
std::string utc_text(std::chrono::system_clock::time_point ts,
                     UtcPrecision precision = UtcPrecision::milliseconds);

}  // namespace sensoryd
