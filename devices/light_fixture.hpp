// What a light fixture is asked to show, and the interface every fixture driver (Modbus DMX/LED,
// MQTT) implements. Only the scene guard holds fixtures, so every command has passed the flash
// limiter and the child's caps (docs/safety.md S9, S15).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "config/device_model.hpp"
#include "devices/health.hpp"

namespace sensoryd::devices {

struct LightCommand {
  config::Rgb color;
  double brightness_pct = 0.0;  // 0 is off
  bool operator==(const LightCommand&) const = default;
};

class LightFixture {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~LightFixture() = default;

  virtual const std::string& id() const = 0;
  virtual const char* type() const = 0;  // as configured: modbus_light, mqtt_light
  // Called every control tick with the current command; drivers send only what changed.
  virtual void apply(const LightCommand& command, Clock::time_point now) = 0;
  virtual Health health() const = 0;
  virtual const std::string& health_detail() const = 0;
  // What the fixture itself reports showing, once it has said.
  virtual std::optional<LightCommand> reported() const = 0;
  // Called on the logic thread when health changes.
  virtual void on_change(std::function<void()> handler) = 0;
};

}  // namespace sensoryd::devices
