// A contact on a Modbus digital I/O module (E-stop status contact, door, occupancy, child
// switch): polls it, debounces it, and reports its state and health.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "config/model.hpp"
#include "devices/health.hpp"
#include "devices/register_io.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

class ModbusInput {
 public:
  using Clock = std::chrono::steady_clock;

  ModbusInput(std::string id, config::Input config, RegisterBus& bus, int lost_after_polls = 3);

  // The one read the input makes at each poll: its contact.
  static ReadBlock polled_read(const config::ModbusInput& config);
  // Registers the poll and link handler; call before the bus starts.
  void attach();
  // A safety input's stop reflex (docs/safety.md S19): `stop` runs on the bus thread as soon as
  // a poll reads the contact on its active side after it was not, before the result reaches
  // the logic thread. Set before the bus starts (after attach() is fine); thread-safe `stop`.
  void set_stop_reflex(std::function<void()> stop) { stop_reflex_ = std::move(stop); }
  // True once after the reflex ran: the supervisor latches the trip on that evidence.
  bool take_reflex() { return reflex_ran_.exchange(false); }
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
  bool contact_active(const ReadResult& result) const;  // pure: safe on the bus thread
  void reflex(const ReadResult& result);                // on the bus thread
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
  std::function<void()> stop_reflex_;
  bool reflex_active_ = false;  // the bus thread's last reading (the reflex's own state)
  std::atomic<bool> reflex_ran_{false};
};

}  // namespace sensoryd::devices
