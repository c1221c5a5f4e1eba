// The human summary `sensoryd --check-config` prints for a valid room.
#pragma once

#include <string>

#include "config/model.hpp"

namespace sensoryd::config {

// Warnings are printed by the caller, with the errors, on stderr.
std::string summarize(const Room& room);

}  // namespace sensoryd::config
