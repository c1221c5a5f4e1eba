#include "daemon/safety_supervisor.hpp"

namespace sensoryd {

SafetySupervisor::SafetySupervisor(const config::SwingLimits& limits,
                                   std::unique_ptr<devices::SwingDrive> swing)
    : swing_(std::move(swing)), limiter_(limits) {
  swing_->on_change([this] {
    if (on_device_change_) on_device_change_();
  });
}

std::string SafetySupervisor::motion_refusal() const {
  if (swing_->health() != devices::Health::online) {
    return "the swing drive '" + swing_->id() + "' is " + devices::to_string(swing_->health()) +
           " (" + swing_->health_detail() + "): check its power and cable, then try again";
  }
  if (!swing_->watchdog_confirmed()) {
    return "the swing drive's comm-loss watchdog is not confirmed yet: wait a moment and try "
           "again, or check the drive's configuration";
  }
  return {};
}

void SafetySupervisor::update(const SwingTarget& wanted, Clock::time_point now) {
  std::chrono::duration<double> dt{0.0};
  if (last_update_) dt = now - *last_update_;
  last_update_ = now;
  swing_->tick(now);

  if (!swing_->ready_for_motion()) {
    // The drive cannot be trusted with motion. Ask it to stop (it ramps down by itself) and
    // start any later motion from rest, never from where the ramp was (S5).
    limiter_.reset_to_rest();
    swing_->apply(devices::SwingOutput(false, config::SwingMode::off, 0.0, 0.0));
    return;
  }
  const SwingState& state = limiter_.step(wanted, dt);
  swing_->apply(
      devices::SwingOutput(state.enabled, state.mode, state.amplitude_deg, state.period_s));
}

}  // namespace sensoryd
