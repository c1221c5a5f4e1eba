// Loads a room file and its profile files into a validated Room, or reports every problem at once.
#pragma once

#include <filesystem>
#include <optional>

#include "config/errors.hpp"
#include "config/model.hpp"

namespace sensoryd::config {

struct LoadResult {
  std::optional<Room> room;  // set only when diagnostics.ok()
  Diagnostics diagnostics;
};

LoadResult load_room(const std::filesystem::path& room_file);

// For tests: the room from text; profiles still come from profiles_dir relative to `name`.
LoadResult load_room_from_string(std::string_view toml_text, const std::filesystem::path& name);

}  // namespace sensoryd::config
