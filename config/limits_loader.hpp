// Reads [limits]: every safety limit with its default. Tightening is free; loosening needs a
// `<key>_reason` string beside the value and is reported as a warning.
#pragma once

#include "config/errors.hpp"
#include "config/model.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

void read_limits(TableReader& root, Room& room, Diagnostics& diagnostics);

}  // namespace sensoryd::config
