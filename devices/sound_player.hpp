// What an audio player or amplifier is asked to do, and the interface every sound driver
// (Modbus amplifier, MQTT player) implements. Only the scene guard holds players, so every
// command has passed the level cap and the slew limit (docs/safety.md S11).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "devices/health.hpp"

namespace sensoryd::devices {

struct SoundCommand {
  bool playing = false;
  std::string source;       // track or input; empty: the player's default
  double volume_pct = 0.0;  // the player's own volume, 0-100, from the room's calibration
  bool operator==(const SoundCommand&) const = default;
};

class SoundPlayer {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~SoundPlayer() = default;

  virtual const std::string& id() const = 0;
  virtual const char* type() const = 0;  // as configured: modbus_sound, mqtt_sound
  virtual void apply(const SoundCommand& command, Clock::time_point now) = 0;
  virtual Health health() const = 0;
  virtual const std::string& health_detail() const = 0;
  virtual std::optional<SoundCommand> reported() const = 0;
  virtual void on_change(std::function<void()> handler) = 0;
};

}  // namespace sensoryd::devices
