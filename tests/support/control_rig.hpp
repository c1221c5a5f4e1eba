// A whole room's logic for unit tests at simulated time: SessionControl, the engine, the
// supervisor and the real drivers (swing drive on unit 1, E-stop contact on unit 3, door
// contact on unit 4) against a fake bus. No processes, no sockets.
#pragma once

#include <memory>
#include <string>

#include "daemon/session_control.hpp"
#include "tests/support/fake_bus.hpp"

namespace sensoryd::test {

inline config::Step rig_step(std::string name, config::SwingMode mode, double amplitude,
                             double period, config::Millis fade,
                             std::optional<config::Millis> duration) {
  config::Step s;
  s.name = std::move(name);
  s.swing =
      config::SwingSetting{mode, amplitude, period, 0.0, config::Fade{fade, config::Curve::linear}};
  s.duration = duration;
  return s;
}

// Limits: amplitude 12 deg, period >= 2 s, ramp 3 deg/s, lease 3 s, sessions <= 40 s.
// Profile "calm": settle 8 deg (2 s), strong (asks 25 deg at 1 s: beyond the limits), wait for
// go at 5 deg; wind-down: rest (2 s).
inline config::Room rig_room() {
  using config::SwingMode;
  using namespace std::chrono_literals;
  config::Room room;
  room.id = "room-r";
  room.limits.swing.max_amplitude_deg = 12.0;
  room.limits.swing.min_period_s = 2.0;
  room.limits.swing.max_amplitude_rate_deg_s = 3.0;
  room.limits.session.lease = 3s;
  room.limits.session.max_duration = 40s;
  config::Profile p;
  p.id = "calm";
  p.steps.push_back(rig_step("settle", SwingMode::linear, 8.0, 3.0, 1s, 2s));
  p.steps.push_back(rig_step("strong", SwingMode::linear, 25.0, 1.0, 0ms, 2s));
  p.steps.push_back(rig_step("wait", SwingMode::linear, 5.0, 4.0, 1s, std::nullopt));
  p.wind_down.push_back(rig_step("rest", SwingMode::off, 0.0, 0.0, 1s, 2s));
  room.profiles.emplace(p.id, p);
  return room;
}

// A contact on an I/O module, polled every 20 ms from `unit` (discrete input 0).
inline std::unique_ptr<devices::ModbusInput> make_contact(const std::string& id,
                                                          config::InputRole role, int unit,
                                                          bool active_low, FakeBus& bus) {
  using namespace std::chrono_literals;
  config::Input in;
  in.role = role;
  in.active_low = active_low;
  config::ModbusInput modbus;
  modbus.modbus.unit = unit;
  modbus.modbus.poll_period = 20ms;
  in.modbus = modbus;
  auto device = std::make_unique<devices::ModbusInput>(id, in, bus);
  device->attach();
  return device;
}

class ControlRig {
 public:
  using Clock = SessionControl::Clock;
  static constexpr int kSwing = 1;
  static constexpr int kEstop = 3;
  static constexpr int kDoor = 4;

  explicit ControlRig(config::Room room = rig_room()) : room_(std::move(room)) {
    using namespace std::chrono_literals;
    config::SwingDrive drive;
    drive.modbus.unit = kSwing;
    drive.modbus.poll_period = 20ms;
    drive.comm_loss_timeout = 400ms;
    auto swing = std::make_unique<devices::SwingDrive>("swing", drive, bus);
    swing->attach();
    std::vector<std::unique_ptr<devices::ModbusInput>> inputs;
    inputs.push_back(make_contact("estop", config::InputRole::estop, kEstop, true, bus));
    inputs.push_back(make_contact("door", config::InputRole::door, kDoor, false, bus));
    supervisor =
        std::make_unique<SafetySupervisor>(room_.limits, std::move(swing), std::move(inputs));
    control = std::make_unique<SessionControl>(room_, engine, *supervisor);
    // As App wires it: a device's change reaches the session at once, not at the next tick.
    supervisor->on_change([this] { control->devices_changed(t); });
    bus.discrete[{kEstop, 0}] = 1;  // E-stop released: its status contact is closed
    bus.link(true);
    bus.deliver();
    bus.poll();
  }

  // One 20 ms control tick, then the bus answers its polls and sends what was written.
  void tick() {
    t += std::chrono::milliseconds(20);
    control->tick(t);
    bus.deliver();
    bus.poll();
    bus.deliver();
  }
  void run_for(std::chrono::milliseconds span) {
    for (auto end = t + span; t < end;) tick();
  }

  Outcome command(const std::string& action, double intensity = 1.0) {
    Command c;
    c.action = action;
    c.start.profile = "calm";
    c.start.intensity = intensity;
    return control->execute(c, t, {});
  }

  std::uint16_t reg(std::uint16_t address) { return bus.holding[{kSwing, address}]; }
  bool recorded(const std::string& type, const std::string& text = {}) {
    for (const auto& r : records) {
      if (r.type == type && r.fields_json.find(text) != std::string::npos) return true;
    }
    return false;
  }
  // Collects what SessionControl recorded so far into `records`.
  void collect() {
    for (auto& r : control->take_records()) records.push_back(std::move(r));
  }

  FakeBus bus;
  SessionEngine engine{"room-r"};
  std::unique_ptr<SafetySupervisor> supervisor;
  std::unique_ptr<SessionControl> control;
  Clock::time_point t{std::chrono::hours(1)};
  std::vector<Record> records;

 private:
  config::Room room_;
};

}  // namespace sensoryd::test
