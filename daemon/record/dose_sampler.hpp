// One control tick of a session's dose, from what the safety supervisor and the scene guard sent
// (after every limit) and what the drive measured: the one place a DoseSample is filled, for
// the running room (DoseRecorder) and for a computed preview (ProfilePreview) alike. Nothing is
// allocated per tick (docs/safety.md S19).
#pragma once

#include <vector>

#include "daemon/record/dose.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "daemon/scene/flash_limiter.hpp"
#include "daemon/scene/scene_guard.hpp"

namespace sensoryd {

class DoseSampler {
 public:
  // Both outlive the sampler.
  DoseSampler(const SafetySupervisor& supervisor, const SceneGuard& scene)
      : supervisor_(supervisor), scene_(scene) {}

  // A new session: `meter` begins with the scene's fixtures and players, the sample is sized
  // for them, and light changes are counted afresh.
  void begin(DoseMeter& meter);
  // The sample of a tick `seconds` long (`paused`: the session is paused); each light's
  // `transitions` is the change its level made in this tick (0 or 1).
  const DoseSample& fill(double seconds, bool paused);
  const DoseSample& sample() const { return sample_; }

 private:
  const SafetySupervisor& supervisor_;
  const SceneGuard& scene_;
  DoseSample sample_;  // reused each tick: sized at begin()
  std::vector<TransitionDetector> transitions_;
};

}  // namespace sensoryd
