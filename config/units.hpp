// Values with units in configuration files: colours, percentages and decibels, and how numbers,
// durations and ids are written back in messages. (Parsing durations: duration.hpp.)
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/device_model.hpp"

namespace sensoryd::config {

// "#rrggbb", or a name: black, white, warm-white, red, orange, amber, yellow, green, teal,
// cyan, blue, purple, magenta, pink.
std::optional<Rgb> parse_color(std::string_view text);

// "40%" -> 40.0; only 0% to 100%.
std::optional<double> parse_percent(std::string_view text);

// "62dB" / "62 dB" / "62dBA" -> 62.0.
std::optional<double> parse_decibels(std::string_view text);

// 30 -> "30", 0.25 -> "0.25": numbers as a technician wrote them.
std::string format_number(double value);
// 500ms -> "500ms", 30000ms -> "30s", 3600000ms -> "60m".
std::string format_duration(std::chrono::milliseconds value);

// Ids used in topics and records (rooms, children): a-z, 0-9, '-' and '_', not empty.
bool is_plain_id(std::string_view id);

}  // namespace sensoryd::config
