// A contact on a Modbus digital I/O module (E-stop status contact, door, occupancy, child
// switch): polls it, debounces it, and reports its state and health.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "config/model.hpp"
#include "devices/health.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

class ModbusInput {
 public:
  using Clock = std::chrono::steady_clock;

  ModbusInput(std::string id, config::Input config, RegisterBus& bus, int lost_after_polls = 3);

  // Registers the poll and link handler; call before the bus starts.
  void attach();
  // Applies the debounce and declares the input lost when readings stop arriving at all.
  void tick(Clock::time_point now);

  const std::string& id() const { return id_; }
  config::InputRole role() const { return config_.role; }
  bool is_safety_input() const {
    return config_.role == config::InputRole::estop || config_.role == config::InputRole::door;
  }
  // Debounced state: true when the E-stop is pressed, the door open, the switch pressed.
  bool active() const { return active_; }
  // A valid reading is current (S2: motion needs every safety input fresh).
  bool fresh() const { return usable(health_.health()) && valid_; }
  Health health() const { return health_.health(); }
  const std::string& health_detail() const { return health_.detail(); }

  // Called on the logic thread when the debounced state, freshness or health changes.
  void on_change(std::function<void()> handler) { on_change_ = std::move(handler); }

 private:
  void poll_result(const ReadResult& result);
  void set_active(bool active);
  void notify();

  std::string id_;
  config::Input config_;
  RegisterBus& bus_;
  HealthTracker health_;
  bool valid_ = false;
  bool raw_active_ = false;
  bool active_ = false;
  std::optional<Clock::time_point> raw_since_;
  std::optional<Clock::time_point> last_valid_reading_;
  std::optional<Clock::time_point> last_tick_;
  std::function<void()> on_change_;
};

}  // namespace sensoryd::devices
