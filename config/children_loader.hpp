// Reads [children.<id>]: caps and flags that may only tighten the room's limits.
#pragma once

#include "config/errors.hpp"
#include "config/model.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

// Needs the limits read first. Profile references are checked once profiles are loaded.
void read_children(TableReader& root, Room& room, Diagnostics& diagnostics);

}  // namespace sensoryd::config
