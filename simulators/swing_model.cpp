#include "simulators/swing_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sensoryd::sim {

namespace {
constexpr double kRunningThresholdDeg = 0.05;
constexpr double kRunningThresholdRevS = 0.001;
}  // namespace

const char* register_name(std::uint16_t address) {
  switch (address) {
    case reg::control:
      return "control";
    case reg::mode:
      return "mode";
    case reg::amplitude:
      return "amplitude";
    case reg::period:
      return "period";
    case reg::comm_loss_timeout:
      return "comm_loss_timeout";
    case reg::comm_loss_action:
      return "comm_loss_action";
    case reg::heartbeat:
      return "heartbeat";
    case reg::speed:
      return "speed";
    case reg::direction:
      return "direction";
    default:
      return "unknown";
  }
}

SwingModel::SwingModel(SwingPhysics physics, Clock::time_point now, EventSink events)
    : physics_(physics), events_(std::move(events)), last_step_(now), last_feed_(now) {}

void SwingModel::write(std::uint16_t address, std::uint16_t value, Clock::time_point now) {
  if (address >= holding_.size()) return;
  holding_[address] = value;
  last_feed_ = now;  // any write from the controller proves it is alive
  if (fault_code_ != 0 && address == reg::control) holding_[reg::control] = 0;
  if (comm_lost_) {
    // The trip stays visible until the controller re-enables deliberately.
    if (address == reg::control && value == 0) comm_lost_ = false;
    if (address == reg::control && value != 0) holding_[reg::control] = 0;
  }
}

void SwingModel::step(Clock::time_point now) {
  double dt = std::chrono::duration<double>(now - last_step_).count();
  last_step_ = now;
  if (dt <= 0.0) return;

  std::uint16_t timeout_ms = holding_[reg::comm_loss_timeout];
  if (timeout_ms > 0 && !comm_lost_ && now - last_feed_ > std::chrono::milliseconds{timeout_ms}) {
    comm_lost_ = true;
    if (holding_[reg::comm_loss_action] == 1) holding_[reg::control] = 0;
    if (events_) events_("comm_loss_stop", amplitude_deg_);
  }

  step_spin(dt);
  bool drive_on = holding_[reg::control] != 0 && holding_[reg::mode] == 1;
  double target =
      drive_on ? std::min(holding_[reg::amplitude] / 10.0, physics_.mechanical_max_deg) : 0.0;
  if (target > amplitude_deg_) {
    amplitude_deg_ = std::min(target, amplitude_deg_ + physics_.max_rise_deg_s * dt);
  } else {
    amplitude_deg_ = std::max(target, amplitude_deg_ - physics_.max_decel_deg_s * dt);
  }
  double period_s = std::max(0.5, holding_[reg::period] / 1000.0);
  phase_ = std::fmod(phase_ + 2.0 * std::numbers::pi * dt / period_s, 2.0 * std::numbers::pi);

  bool now_running = running();
  if (was_running_ && !now_running) {
    amplitude_deg_ = 0.0;
    speed_rev_s_ = 0.0;
    if (events_) events_("motion_stopped", 0.0);
  }
  was_running_ = now_running;
}

// A spinning seat follows its speed setpoint at the drive's acceleration; asked to turn the
// other way, it slows to rest before it reverses, as a real drive does.
void SwingModel::step_spin(double dt) {
  bool spin_on = holding_[reg::control] != 0 && holding_[reg::mode] == 2;
  int wanted_sign = holding_[reg::direction] == 1 ? -1 : 1;
  double target =
      spin_on ? std::min(holding_[reg::speed] / 1000.0, physics_.mechanical_max_rev_s) : 0.0;
  if (wanted_sign != spin_sign_) {
    if (speed_rev_s_ == 0.0) {
      spin_sign_ = wanted_sign;
    } else {
      target = 0.0;
    }
  }
  double change = physics_.max_spin_accel_rev_s2 * dt;
  double before = speed_rev_s_;
  speed_rev_s_ = target > speed_rev_s_ ? std::min(target, speed_rev_s_ + change)
                                       : std::max(target, speed_rev_s_ - change);
  revolutions_ += spin_sign_ * (before + speed_rev_s_) / 2.0 * dt;
}

bool SwingModel::running() const {
  return amplitude_deg_ > kRunningThresholdDeg || speed_rev_s_ > kRunningThresholdRevS;
}

void SwingModel::set_fault(std::uint16_t code) {
  fault_code_ = code;
  if (code != 0) holding_[reg::control] = 0;
}

std::array<std::uint16_t, reg::input_count> SwingModel::inputs() const {
  std::array<std::uint16_t, reg::input_count> in{};
  bool running = this->running();
  bool fault = fault_code_ != 0;
  in[reg::status] = static_cast<std::uint16_t>((comm_lost_ || fault ? 0 : 1) | (running ? 2 : 0) |
                                               (fault ? 4 : 0) | (comm_lost_ ? 8 : 0));
  // Spinning, the angle is the seat's heading; swinging, its displacement from rest.
  double heading = std::remainder(revolutions_ * 360.0, 360.0);
  double angle = speed_rev_s_ > 0.0 ? heading : amplitude_deg_ * std::sin(phase_);
  in[reg::angle] = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(angle * 10.0)));
  in[reg::measured_amplitude] = static_cast<std::uint16_t>(std::lround(amplitude_deg_ * 10.0));
  in[reg::fault_code] = fault_code_;
  in[reg::measured_speed] = static_cast<std::uint16_t>(std::lround(speed_rev_s_ * 1000.0));
  return in;
}

}  // namespace sensoryd::sim
