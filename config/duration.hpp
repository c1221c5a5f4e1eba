// Durations written with units in configuration files: "250ms", "30s", "2m", "1h", "1.5s".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sensoryd::config {

// Returns nullopt when the text is not a non-negative number followed by ms, s, m or h.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace sensoryd::config
