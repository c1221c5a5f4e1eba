// What a reload (SIGHUP) may change without a restart, and what it may not: the one place every
// field of config::Room is sorted into one or the other. A field added to Room does not compile
// here until it is sorted, so a new setting is never silently ignored by a reload.
#pragma once

#include <string>
#include <vector>

#include "config/model.hpp"

namespace sensoryd::config {

// The sections (as a technician writes them: "[mqtt]", "[devices]", ...) whose changes from
// `running` to `next` take effect only at a restart; empty when `next` may be applied as it is
// (profiles, children and the room's display name are reloaded).
std::vector<std::string> sections_needing_restart(const Room& running, const Room& next);

// Takes what a reload changes (profiles, children, the display name) from `next`.
void apply_reloadable(Room& running, const Room& next);

}  // namespace sensoryd::config
