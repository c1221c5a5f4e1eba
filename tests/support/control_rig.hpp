// A whole room's logic for unit tests at simulated time: SessionControl, the engine, the
// supervisor and the real drivers (swing drive on unit 1, E-stop contact on unit 3, door
// contact on unit 4) against a fake bus. No processes, no sockets.
#pragma once

#include <memory>
#include <string>

#include "daemon/session/session_control.hpp"
#include "devices/swing_drive.hpp"
#include "tests/support/fake_bus.hpp"

namespace sensoryd::test {

inline config::Step rig_step(std::string name, config::SwingMode mode, double amplitude,
                             double period, config::Millis fade,
                             std::optional<config::Millis> duration) {
  config::Step s;
  s.name = std::move(name);
  s.swing = config::SwingSetting{.mode = mode,
                                 .amplitude_deg = amplitude,
                                 .period_s = period,
                                 .fade = config::Fade{fade, config::Curve::linear}};
  s.duration = duration;
  return s;
}

inline config::Step rig_spin(std::string name, double rev_s, config::Direction direction,
                             config::Millis fade, std::optional<config::Millis> duration) {
  config::Step s;
  s.name = std::move(name);
  s.swing = config::SwingSetting{.mode = config::SwingMode::rotary,
                                 .speed_rev_s = rev_s,
                                 .direction = direction,
                                 .fade = config::Fade{fade, config::Curve::linear}};
  s.duration = duration;
  return s;
}

// Limits: amplitude 12 deg, period >= 2 s, ramp 3 deg/s, lease 3 s, sessions <= 40 s; rotary
// 0.5 rev/s, ramp 0.25 rev/s^2, 3 revolutions then a 4 s pause.
// Profile "calm": settle 8 deg (2 s), strong (asks 25 deg at 1 s: beyond the limits), wait for
// go at 5 deg; wind-down: rest (2 s).
// Profile "spin": clockwise (asks 0.8 rev/s: beyond the limit) for 12 s, counterclockwise
// 0.4 rev/s for 6 s, then a linear sway waiting for go; wind-down: rest (2 s).
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
  room.limits.rotary.max_rate_rev_s = 0.5;
  room.limits.rotary.max_accel_rev_s2 = 0.25;
  room.limits.rotary.max_revolutions = 3;
  room.limits.rotary.min_pause_s = 4.0;
  config::Profile spin;
  spin.id = "spin";
  spin.steps.push_back(rig_spin("clockwise", 0.8, config::Direction::clockwise, 1s, 12s));
  spin.steps.push_back(rig_spin("counter", 0.4, config::Direction::counterclockwise, 1s, 6s));
  spin.steps.push_back(rig_step("sway", SwingMode::linear, 6.0, 3.0, 1s, std::nullopt));
  spin.wind_down.push_back(rig_step("rest", SwingMode::off, 0.0, 0.0, 1s, 2s));
  room.profiles.emplace(spin.id, spin);
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
  in.source = modbus;
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

  // sensoryd's own swing controller map (every key in its short form), both motions.
  static config::SwingDrive default_drive() {
    using namespace std::chrono_literals;
    config::SwingDrive drive;
    drive.modbus.unit = kSwing;
    drive.modbus.poll_period = 20ms;
    drive.comm_loss_timeout = 400ms;
    drive.rotary = true;
    return drive;
  }

  explicit ControlRig(config::Room room = rig_room(), config::SwingDrive drive = default_drive())
      : room_(std::move(room)) {
    auto swing = std::make_unique<devices::SwingDrive>("swing", drive, bus);
    swing->attach();
    std::vector<std::unique_ptr<devices::ModbusInput>> inputs;
    inputs.push_back(make_contact("estop", config::InputRole::estop, kEstop, true, bus));
    inputs.push_back(make_contact("door", config::InputRole::door, kDoor, false, bus));
    supervisor =
        std::make_unique<SafetySupervisor>(room_.limits, std::move(swing), std::move(inputs));
    control = std::make_unique<SessionControl>(room_, engine, *supervisor);
    // As App wires it: a device's change reaches the session at once, not at the next tick.
    supervisor->on_change([this] {
      control->devices_changed(t);
      control->observe_checks(t, wall());
    });
    bus.discrete[{kEstop, 0}] = 1;  // E-stop released: its status contact is closed
    bus.link(true);
    bus.deliver();
    bus.poll();
  }

  // One 20 ms control tick, then the bus answers its polls and sends what was written.
  void tick() {
    t += std::chrono::milliseconds(20);
    control->tick(t);
    control->observe_checks(t, wall());
    bus.deliver();
    bus.poll();
    bus.deliver();
  }
  void run_for(std::chrono::milliseconds span) {
    for (auto end = t + span; t < end;) tick();
  }

  Outcome command(const std::string& action, double intensity = 1.0) {
    Command c;
    c.action = action_from_name(action).value();
    // The fields its action carries, as a tablet would send them.
    switch (c.action) {
      case Action::start:
        c.payload = StartFields{profile, "", intensity};
        break;
      case Action::adjust:
        c.payload = AdjustFields{intensity};
        break;
      case Action::note:
        c.payload = NoteFields{"", "a note"};
        break;
      case Action::response:
        c.payload = ResponseFields{"", 3, 3, "", std::nullopt};
        break;
      default:
        break;
    }
    return control->execute(c, t, {});
  }

  const config::Room& room() const { return room_; }
  // The room changed in place, as App changes it when a plan or a profile is saved, or a reload
  // comes: SessionControl reads it by reference.
  config::Room& room_in_force() { return room_; }
  std::uint16_t reg(std::uint16_t address) { return bus.holding[{kSwing, address}]; }
  bool recorded(const std::string& type) {
    for (const auto& r : records) {
      if (name_of(r.type) == type) return true;
    }
    return false;
  }
  // A record of `type` whose field `key` holds `value`.
  bool recorded(const std::string& type, const std::string& key, const FieldValue& value) {
    for (const auto& r : records) {
      const FieldValue* field = r.fields.find(key);
      if (name_of(r.type) == type && field != nullptr && *field == value) return true;
    }
    return false;
  }
  // Collects what SessionControl recorded so far into `records`.
  void collect() {
    for (auto& r : control->take_records()) records.push_back(std::move(r));
  }

  FakeBus bus;
  std::string profile = "calm";  // what a start starts
  SessionEngine engine{"room-r"};
  std::unique_ptr<SafetySupervisor> supervisor;
  std::unique_ptr<SessionControl> control;
  Clock::time_point t{std::chrono::hours(1)};
  // The wall clock, running with `t`: at t's start it is 2026-11-28T09:00:00Z.
  std::chrono::system_clock::time_point wall() const {
    return std::chrono::system_clock::time_point{std::chrono::seconds{1'795'856'400}} +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(
               t - Clock::time_point{std::chrono::hours(1)});
  }
  std::vector<Record> records;

 private:
  config::Room room_;
};

}  // namespace sensoryd::test
