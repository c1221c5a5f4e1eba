// Physics and register semantics of a simulated swing motor drive: the amplitude (linear) or
// the rotation speed (rotary) follows its setpoint at bounded rates (a swing has inertia), and
// a comm-loss watchdog stops it when writes stop arriving, as a real drive configured for it
// does.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace sensoryd::sim {

// The simulated drive's register map (matches config/examples/room.toml).
namespace reg {
constexpr std::uint16_t control = 0;
constexpr std::uint16_t mode = 1;
constexpr std::uint16_t amplitude = 2;          // 0.1 deg
constexpr std::uint16_t period = 3;             // ms
constexpr std::uint16_t comm_loss_timeout = 4;  // ms, 0 = off
constexpr std::uint16_t comm_loss_action = 5;   // 0 = keep running (factory default), 1 = ramp stop
constexpr std::uint16_t heartbeat = 6;
constexpr std::uint16_t speed = 7;      // 0.001 rev/s
constexpr std::uint16_t direction = 8;  // 0 clockwise, 1 counterclockwise
constexpr std::uint16_t holding_count = 9;

constexpr std::uint16_t status = 0;  // bit0 ready, bit1 running, bit2 fault, bit3 comm lost
constexpr std::uint16_t angle = 1;   // 0.1 deg, signed
constexpr std::uint16_t measured_amplitude = 2;
constexpr std::uint16_t fault_code = 3;
constexpr std::uint16_t measured_speed = 4;  // 0.001 rev/s
constexpr std::uint16_t input_count = 5;
}  // namespace reg

const char* register_name(std::uint16_t address);

struct SwingPhysics {
  double max_rise_deg_s = 6.0;    // how fast the swing can build amplitude
  double max_decel_deg_s = 10.0;  // how fast the drive can take amplitude out (category 1 stop)
  double mechanical_max_deg = 45.0;
  double max_spin_accel_rev_s2 = 0.5;  // speeding up and slowing down a spinning seat
  double mechanical_max_rev_s = 1.0;
};

class SwingModel {
 public:
  using Clock = std::chrono::steady_clock;
  // Reports notable moments ("comm_loss_stop", "motion_stopped") for the recording.
  using EventSink = std::function<void(const std::string& event, double amplitude_deg)>;

  SwingModel(SwingPhysics physics, Clock::time_point now, EventSink events);

  void write(std::uint16_t address, std::uint16_t value, Clock::time_point now);
  // Restarts the comm-loss watchdog without a write (a drive that counts every request).
  void feed(Clock::time_point now) { last_feed_ = now; }
  void step(Clock::time_point now);
  bool running() const;

  const std::array<std::uint16_t, reg::holding_count>& holding() const { return holding_; }
  std::array<std::uint16_t, reg::input_count> inputs() const;
  double amplitude_deg() const { return amplitude_deg_; }
  double speed_rev_s() const { return speed_rev_s_; }
  // Signed: clockwise positive, since the drive was switched on.
  double revolutions() const { return revolutions_; }
  bool comm_lost() const { return comm_lost_; }
  // A drive fault (code != 0) disables the drive, which ramps down at its deceleration and
  // reports the code until it is cleared (code 0) and the controller re-enables it.
  void set_fault(std::uint16_t code);

 private:
  void step_spin(double dt);

  SwingPhysics physics_;
  EventSink events_;
  std::array<std::uint16_t, reg::holding_count> holding_{};
  Clock::time_point last_step_;
  Clock::time_point last_feed_;
  double amplitude_deg_ = 0.0;
  double phase_ = 0.0;
  double speed_rev_s_ = 0.0;
  int spin_sign_ = 1;  // +1 clockwise, -1 counterclockwise: changes only at rest
  double revolutions_ = 0.0;
  bool comm_lost_ = false;
  bool was_running_ = false;
  std::uint16_t fault_code_ = 0;
};

}  // namespace sensoryd::sim
