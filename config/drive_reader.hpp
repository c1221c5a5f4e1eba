// Reads a swing drive (or rotary platform): its register map, setup writes and motion settings,
// and refuses any map sensoryd cannot use safely: a stop it cannot write, a watchdog it cannot
// set within S6, a room limit the registers cannot carry.
#pragma once

#include "config/model.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

// `reader` is the device's table; the binding is already read into `swing.modbus`.
void read_swing_drive(TableReader& reader, SwingDrive& swing, const Room& room);

}  // namespace sensoryd::config
