// Physics and register semantics of a simulated swing motor drive: the amplitude follows its
// setpoint at bounded rates (a swing has inertia), and a comm-loss watchdog stops it when
// writes stop arriving, as a real drive configured for it does.
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
constexpr std::uint16_t holding_count = 8;

constexpr std::uint16_t status = 0;  // bit0 ready, bit1 running, bit2 fault, bit3 comm lost
constexpr std::uint16_t angle = 1;   // 0.1 deg, signed
constexpr std::uint16_t measured_amplitude = 2;
constexpr std::uint16_t fault_code = 3;
constexpr std::uint16_t input_count = 4;
}  // namespace reg

const char* register_name(std::uint16_t address);

struct SwingPhysics {
  double max_rise_deg_s = 6.0;    // how fast the swing can build amplitude
  double max_decel_deg_s = 10.0;  // how fast the drive can take amplitude out (category 1 stop)
  double mechanical_max_deg = 45.0;
};

class SwingModel {
 public:
  using Clock = std::chrono::steady_clock;
  // Reports notable moments ("comm_loss_stop", "motion_stopped") for the recording.
  using EventSink = std::function<void(const std::string& event, double amplitude_deg)>;

  SwingModel(SwingPhysics physics, Clock::time_point now, EventSink events);

  void write(std::uint16_t address, std::uint16_t value, Clock::time_point now);
  void step(Clock::time_point now);

  const std::array<std::uint16_t, reg::holding_count>& holding() const { return holding_; }
  std::array<std::uint16_t, reg::input_count> inputs() const;
  double amplitude_deg() const { return amplitude_deg_; }
  bool comm_lost() const { return comm_lost_; }
  // A drive fault (code != 0) disables the drive, which ramps down at its deceleration and
  // reports the code until it is cleared (code 0) and the controller re-enables it.
  void set_fault(std::uint16_t code);

 private:
  SwingPhysics physics_;
  EventSink events_;
  std::array<std::uint16_t, reg::holding_count> holding_{};
  Clock::time_point last_step_;
  Clock::time_point last_feed_;
  double amplitude_deg_ = 0.0;
  double phase_ = 0.0;
  bool comm_lost_ = false;
  bool was_running_ = false;
  std::uint16_t fault_code_ = 0;
};

}  // namespace sensoryd::sim
