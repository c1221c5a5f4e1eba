// The clinical records the scene makes: a light or player held back by a limit, and a strobe
// stopped at limits.light.max_strobe (docs/clinical-record.md, limit_clamped). One place, for
// the running room and for a computed preview.
#pragma once

#include <string>

#include "daemon/scene/scene_guard.hpp"
#include "daemon/session/record.hpp"

namespace sensoryd {

Record clamp_record(const SceneGuard::Clamp& clamp, const std::string& session_id);
Record strobe_capped_record(const std::string& fixture, const std::string& session_id);

}  // namespace sensoryd
