// The sound limits of one player (docs/safety.md S11, S3): the level at the listener capped (the
// room's limit, or the child's when tighter), rises slewed, a mute faded out within
// limits.sound.mute_fade, and the level turned into the player's volume through the room's
// calibration table.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <utility>

#include "config/model.hpp"
#include "daemon/scene/scene_planner.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd {

class SoundLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  SoundLimiter(const config::SoundLimits& limits, config::Calibration calibration);

  // The child's cap (S15), only ever tighter than the room's; unset: the room's.
  void set_child_cap(std::optional<double> max_dba);
  double cap_dba() const;

  struct Output {
    devices::SoundCommand command;
    double level_dba = 0.0;  // what the command gives at the listener (0: silent)
    bool clamped = false;    // the wanted level was above the cap
  };
  // `mute_now` (a trip): fade to silence within mute_fade whatever is wanted.
  Output update(const SoundLevel& wanted, bool mute_now, Clock::time_point now);

 private:
  config::SoundLimits limits_;
  config::Calibration calibration_;
  std::optional<double> child_cap_;
  bool playing_ = false;
  std::string source_;
  double level_ = 0.0;  // the ramp: what is allowed now, before the volume is rounded down
  std::optional<Clock::time_point> last_;
  std::optional<Clock::time_point> mute_started_;
  double mute_from_ = 0.0;
  // The levels actually sent over the last second (silence as the calibration's floor) that may
  // still be its lowest, oldest first, each lower than the next: a sliding minimum.
  std::deque<std::pair<Clock::time_point, double>> sent_;
};

}  // namespace sensoryd
