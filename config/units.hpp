// Values with units in configuration files: colours and percentages. (Durations: duration.hpp.)
#pragma once

#include <optional>
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

}  // namespace sensoryd::config
