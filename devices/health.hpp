// How far a device can be trusted right now, as published on sensoryd/<room>/devices/<id>.
#pragma once

namespace sensoryd::devices {

// online: answering; degraded: answering, but some requests lately went unanswered;
// lost: no valid answer for the configured number of polls (SAFETY.md S5); fault: the device
// itself reports a fault.
enum class Health { online, degraded, lost, fault };

inline const char* to_string(Health health) {
  switch (health) {
    case Health::online:
      return "online";
    case Health::degraded:
      return "degraded";
    case Health::lost:
      return "lost";
    case Health::fault:
      return "fault";
  }
  return "lost";
}

// Answering well enough to be used (degraded still answers).
inline bool usable(Health health) {
  return health == Health::online || health == Health::degraded;
}

}  // namespace sensoryd::devices
