// Reads one profile file and checks it against the room's limits.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "config/errors.hpp"
#include "config/model.hpp"

namespace sensoryd::config {

std::optional<Profile> load_profile(std::string_view toml_text, const std::filesystem::path& name,
                                    const SwingLimits& limits, Diagnostics& diagnostics);

}  // namespace sensoryd::config
