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

struct LoadOptions {
  // Therapists' profiles (<state>/profiles), read after the room's with the same checks. One
  // that fails them, or takes a room profile's id, is left out with a warning: a therapist's
  // file never keeps the room from starting. Empty or missing: none.
  std::filesystem::path authored_profiles_dir;
  // Clinical leads' plans for children (<state>/children, <id>.toml each): each replaces the
  // room file's [children.<id>], with the same checks. One that fails them is left out with a
  // warning (the room file's entry stays); a profile it names that is gone is a warning.
  std::filesystem::path plans_dir;
};

LoadResult load_room(const std::filesystem::path& room_file, const LoadOptions& options = {});

// For tests: the room from text; profiles still come from profiles_dir relative to `name`.
LoadResult load_room_from_string(std::string_view toml_text, const std::filesystem::path& name,
                                 const LoadOptions& options = {});

}  // namespace sensoryd::config
