// Reads [children.<id>] and children's plans: caps and flags that may only tighten the room's
// limits.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/errors.hpp"
#include "config/model.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

// Needs the limits read first. Profile references are checked once profiles are loaded.
void read_children(TableReader& root, Room& room, Diagnostics& diagnostics);

// A clinical lead's plan for child `id` (docs/profiles.md, "Children's plans"): a file with the
// keys of a [children.<id>] table, read with the same checks and messages. Nothing when it has
// errors. Its profiles are checked against the room by the caller.
std::optional<Child> load_child_plan(std::string_view toml_text, const std::filesystem::path& name,
                                     const std::string& id, const Room& room,
                                     Diagnostics& diagnostics);

}  // namespace sensoryd::config
