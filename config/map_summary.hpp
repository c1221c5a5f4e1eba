// A Modbus device's resolved register map as text, one line per value (key, table, address in
// decimal and hex, type and word order, scale/offset and unit, bits, on/off), so that a
// technician can compare it with the device's manual line by line (--check-config).
#pragma once

#include <string>

#include "config/device_model.hpp"

namespace sensoryd::config {

// Empty for a device that is not on Modbus. Each line starts with `indent`.
std::string describe_map(const Device& device, const std::string& indent);

}  // namespace sensoryd::config
