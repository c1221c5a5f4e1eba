// The gate between the planned scene and the lights and sound, as the safety supervisor is for
// the swing: it owns every fixture and player driver, so nothing else can reach them, and
// applies each tick the safe scene on a trip (S3), the child's caps (S15), the flash limiter
// (S9) and the sound limits (S11).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/scene/flash_limiter.hpp"
#include "daemon/scene/scene_planner.hpp"
#include "daemon/scene/sound_limiter.hpp"
#include "devices/light_fixture.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd {

class SceneGuard {
 public:
  using Clock = std::chrono::steady_clock;

  struct Player {
    std::unique_ptr<devices::SoundPlayer> device;
    config::Calibration calibration;
  };

  SceneGuard(const config::Room& room, std::vector<std::unique_ptr<devices::LightFixture>> lights,
             std::vector<Player> players);
  // Holds pointers into its own maps: never copied or moved.
  SceneGuard(const SceneGuard&) = delete;
  SceneGuard& operator=(const SceneGuard&) = delete;

  // One tick: `tripped` (a latched trip) sends the safe scene and mutes, whatever is planned.
  void update(const Scene& planned, const config::Child* child, bool tripped,
              Clock::time_point now);

  // A live output held back or lowered by a limit, when that began (for limit_clamped).
  struct Clamp {
    std::string channel;  // light, sound
    std::string device;
    std::string limit;  // flash, max_brightness_pct, max_dba
    double asked = 0.0;
    double allowed = 0.0;
    bool by_child = false;
  };
  std::vector<Clamp> take_clamps();
  // A limit held a light or a player back in the last tick (for the session's dose).
  bool clamping() const { return !clamped_.empty(); }

  // Every player has been sent silence for at least `settle` (time for a paced MQTT command and
  // a queued Modbus write to go out): a shutdown may exit without leaving sound playing.
  bool quiet_for(std::chrono::milliseconds settle, Clock::time_point now) const {
    return silent_since_ && now - *silent_since_ >= settle;
  }

  const std::vector<std::unique_ptr<devices::LightFixture>>& lights() const { return lights_; }
  const std::vector<Player>& players() const { return players_; }
  // What was last sent, per fixture / player (for tests and the devices topic).
  const std::map<std::string, devices::LightCommand>& shown() const { return shown_; }
  // What was last sent to lights()[index].
  const devices::LightCommand& shown(std::size_t index) const { return *shown_at_[index]; }
  double sound_level_dba(std::size_t player) const { return sound_levels_.at(player); }

 private:
  void note(std::set<std::string>& active, const std::string& key, bool now_clamped, Clamp clamp);

  const config::Room& room_;
  std::vector<std::unique_ptr<devices::LightFixture>> lights_;
  std::vector<Player> players_;
  FlashLimiter flash_;
  std::vector<SoundLimiter> limiters_;
  std::vector<double> sound_levels_;
  std::map<std::string, devices::LightCommand> shown_;
  std::map<std::string, devices::LightCommand> wanted_;  // this tick's, before the flash limiter
  std::vector<std::string> held_;                        // this tick's held back by it
  std::vector<devices::LightCommand*> wanted_at_;  // per fixture of lights_: its entry in wanted_
  std::vector<devices::LightCommand*> shown_at_;   // and in shown_
  std::set<std::string> clamped_;                  // "channel/device/limit" clamped last tick
  std::optional<Clock::time_point> silent_since_;
  std::vector<Clamp> clamps_;
};

}  // namespace sensoryd
