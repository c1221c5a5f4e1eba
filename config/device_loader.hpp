// Reads the equipment sections of a room file: [buses], [templates], [devices],
// [calibrations] and [safe_scene], resolving templates and checking every reference.
#pragma once

#include <toml++/toml.h>

#include "config/errors.hpp"
#include "config/model.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

void read_buses(TableReader& root, Room& room, Diagnostics& diagnostics);
void read_calibrations(TableReader& root, Room& room, Diagnostics& diagnostics);
// Needs buses and calibrations read first.
void read_devices(TableReader& root, Room& room, Diagnostics& diagnostics);
// Needs devices read first.
void read_safe_scene(TableReader& root, Room& room, Diagnostics& diagnostics);

}  // namespace sensoryd::config
