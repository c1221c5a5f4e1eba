// Where sensoryd's log lines go: the journal, with priorities, when systemd connected stderr
// to it; otherwise stderr with timestamps.
#pragma once

#include <string>

namespace sensoryd {

// `level` is one of trace, debug, info, warn, error.
void setup_logging(const std::string& level);

}  // namespace sensoryd
