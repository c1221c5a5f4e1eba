#include "daemon/scene/scene_records.hpp"

#include <cmath>

namespace sensoryd {

Record clamp_record(const SceneGuard::Clamp& clamp, const std::string& session_id) {
  return Record{EventType::limit_clamped,
                {{"session_id", session_id},
                 {"channel", clamp.channel},
                 {"device", clamp.device},
                 {"limit", clamp.limit},
                 {"asked", std::round(clamp.asked * 10.0) / 10.0},
                 {"allowed", std::round(clamp.allowed * 10.0) / 10.0},
                 {"by", clamp.by_child ? "child" : "room"}}};
}

Record strobe_capped_record(const std::string& fixture, const std::string& session_id) {
  return Record{EventType::limit_clamped,
                {{"session_id", session_id},
                 {"channel", "light"},
                 {"device", fixture},
                 {"limit", "max_strobe"},
                 {"by", "room"}}};
}

}  // namespace sensoryd
