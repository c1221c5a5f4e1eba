// Reads one profile file and checks it against the room: its limits, its devices and inputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "config/errors.hpp"
#include "config/model.hpp"

namespace sensoryd::config {

// A profile's id names its file: 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit.
inline constexpr std::size_t kMaxProfileIdLength = 64;
bool is_profile_id(std::string_view id);
// What the rule is, for messages.
inline constexpr std::string_view kProfileIdRule =
    "1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit";
// The most steps a profile (and its wind-down) may have.
inline constexpr std::size_t kMaxProfileSteps = 100;

// `room` must have its devices and limits read.
std::optional<Profile> load_profile(std::string_view toml_text, const std::filesystem::path& name,
                                    const Room& room, Diagnostics& diagnostics);

}  // namespace sensoryd::config
