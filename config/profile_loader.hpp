// Reads one profile file and checks it against the room: its limits, its devices and inputs.
#pragma once

#include <array>

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
// The words a step's `curve` and a light's `effect` take (published on `limits` for the
// tablet's editor, docs/mqtt-api.md).
inline constexpr std::array<std::string_view, 2> kFadeCurves{"linear", "s-curve"};
inline constexpr std::array<std::string_view, 4> kLightEffects{"none", "breathe", "color_cycle",
                                                               "strobe"};

// `room` must have its devices and limits read.
std::optional<Profile> load_profile(std::string_view toml_text, const std::filesystem::path& name,
                                    const Room& room, Diagnostics& diagnostics);

}  // namespace sensoryd::config
