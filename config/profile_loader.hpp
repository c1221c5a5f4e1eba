// Reads one profile file and checks it against the room: its limits, its devices and inputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "config/errors.hpp"
#include "config/model.hpp"

namespace sensoryd::config {

// `room` must have its devices and limits read.
std::optional<Profile> load_profile(std::string_view toml_text, const std::filesystem::path& name,
                                    const Room& room, Diagnostics& diagnostics);

}  // namespace sensoryd::config
