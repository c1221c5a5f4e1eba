// After sensoryd has ended, cleanly or not (systemd's ExecStopPost=, docs/safety.md "A crash"):
// the room's lights to the safe scene and every player and amplifier silent, through the same
// drivers and scene guard as the daemon's, then exit. The swing needs nothing from here: its
// drive stops by its own comm-loss watchdog (S6).
#pragma once

#include <chrono>

#include "config/model.hpp"

namespace sensoryd {

// Connects to the room's broker (as sensoryd, without touching its availability) and buses,
// sends the safe scene and silence until every player has been told silence for a moment and
// every link came up, then stops. 0 when done within `within`, else 1 (what was reached is
// logged).
int quiet_room(const config::Room& room, std::chrono::milliseconds within);

}  // namespace sensoryd
