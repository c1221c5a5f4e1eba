// The gate between the planned scene and the lights and sound, as the safety supervisor is for
// the swing: it owns every fixture and player driver, so nothing else can reach them, and
// applies each tick the safe scene on a trip (S3), the child's caps (S15), the flash limiter
// (S9) and the sound limits (S11).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
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
  bool clamping() const { return clamping_; }

  // Every player has been sent silence for at least `settle` (time for a paced MQTT command and
  // a queued Modbus write to go out): a shutdown may exit without leaving sound playing.
  bool quiet_for(std::chrono::milliseconds settle, Clock::time_point now) const {
    return silent_since_ && now - *silent_since_ >= settle;
  }

  const std::vector<std::unique_ptr<devices::LightFixture>>& lights() const { return lights_; }
  const std::vector<Player>& players() const { return players_; }
  // What was last sent to lights()[index] (for tests and the devices topic).
  const devices::LightCommand& shown(std::size_t index) const { return shown_.at(index); }
  double sound_level_dba(std::size_t player) const { return sound_levels_.at(player); }

 private:
  // Which limit holds which output: a light's brightness cap or flash limit, a player's level.
  enum class Held { light_brightness, light_flash, player_level };
  std::size_t held_index(Held what, std::size_t device) const;
  // `what` of `device` is clamped this tick; a clamp that was not last tick is recorded, its
  // record made by `clamp` (only then: this runs every tick).
  template <typename MakeClamp>
  void note(Held what, std::size_t device, MakeClamp clamp);

  const config::Room& room_;
  std::vector<std::unique_ptr<devices::LightFixture>> lights_;
  std::vector<Player> players_;
  FlashLimiter flash_;
  std::vector<SoundLimiter> limiters_;
  std::vector<double> sound_levels_;
  // Per fixture of lights_, by index: this tick's wanted (before the flash limiter) and shown.
  std::vector<devices::LightCommand> wanted_;
  std::vector<devices::LightCommand> shown_;
  std::vector<std::size_t> held_;  // this tick's held back by the flash limiter
  // Per output and limit (held_index): clamped this tick, and last tick.
  std::vector<char> clamped_now_;
  std::vector<char> clamped_before_;
  bool clamping_ = false;
  std::optional<Clock::time_point> silent_since_;
  std::vector<Clamp> clamps_;
};

}  // namespace sensoryd
