// The one gate between what the session wants and the equipment (SAFETY.md S1). It owns the
// drivers, so nothing else can reach them, and decides each tick what may be sent.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "config/model.hpp"
#include "daemon/swing_limiter.hpp"
#include "devices/swing_drive.hpp"

namespace sensoryd {

class SafetySupervisor {
 public:
  using Clock = std::chrono::steady_clock;

  SafetySupervisor(const config::SwingLimits& limits, std::unique_ptr<devices::SwingDrive> swing);

  // One control tick: `wanted` is what the session engine asks for now.
  void update(const SwingTarget& wanted, Clock::time_point now);

  // Motion is allowed only with the drive online and its comm-loss watchdog confirmed (S2).
  bool motion_allowed() const { return swing_->ready_for_motion(); }
  // Why motion is refused, in words for a therapist; empty when allowed.
  std::string motion_refusal() const;

  // True once the output has ramped to rest (used by a safe shutdown and by tests).
  bool swing_at_rest() const { return limiter_.state().at_rest(); }
  const SwingState& swing_output() const { return limiter_.state(); }
  const devices::SwingDrive& swing() const { return *swing_; }

  // Health or readiness of a device changed (called on the logic thread).
  void on_device_change(std::function<void()> handler) { on_device_change_ = std::move(handler); }

 private:
  std::unique_ptr<devices::SwingDrive> swing_;
  SwingLimiter limiter_;
  std::function<void()> on_device_change_;
  std::optional<Clock::time_point> last_update_;
};

}  // namespace sensoryd
