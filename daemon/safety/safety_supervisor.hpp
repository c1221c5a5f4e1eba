// The one gate between what the session wants and the equipment (docs/safety.md S1). It owns the
// drivers and the safety inputs, so nothing else can reach them; it feeds the interlocks and
// decides each tick, and at once on a safety input's change, what may be sent.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/safety/interlocks.hpp"
#include "daemon/safety/motion_refusal.hpp"
#include "daemon/safety/swing_limiter.hpp"
#include "devices/drive.hpp"
#include "devices/modbus_input.hpp"

namespace sensoryd {

class SafetySupervisor {
 public:
  using Clock = std::chrono::steady_clock;

  SafetySupervisor(const config::Limits& limits, std::unique_ptr<devices::Drive> swing,
                   std::vector<std::unique_ptr<devices::ModbusInput>> inputs = {});

  // One control tick: `wanted` is what the session engine asks for now.
  void update(const SwingTarget& wanted, Clock::time_point now);

  // A session may start (or resume) motion: every device ready (S2) and no interlock holding.
  bool motion_allowed() const;
  // Why motion is not allowed now (none when it is), as a code with parameters.
  MotionRefusal refusal() const;
  // The same in sensoryd's words; empty when motion is allowed.
  std::string motion_refusal() const { return refusal().text(); }

  // The `estop` command (S3): latched at once, the stop written at once.
  void estop(const std::string& who, Clock::time_point now);
  // Thread-safe, from the MQTT receive thread when a valid `estop` command arrives: holds the
  // drive disabled at once, before the command waits its turn on the logic thread, where
  // estop() latches the trip and lets the hold go (S3, S19).
  void hold_for_estop_command() {
    estop_command_held_.store(true);
    swing_->hold_stop();
  }
  // S21: the stop written again for a functional check's press; `done` says (on the logic
  // thread) whether the drive acknowledged it. Never enables anything.
  void confirm_stop(std::function<void(bool acknowledged)> done) {
    swing_->confirm_stop(std::move(done));
  }
  // The `reset` command (S4). Never starts anything.
  Interlocks::ResetResult reset();

  // Supervision lease (S13): granted when a session starts, renewed by tablets, dropped when
  // the session ends. Without lease_required in the room's limits it is never enforced.
  void start_lease(Clock::time_point now);
  void renew_lease(Clock::time_point now);
  void end_lease();
  std::optional<double> lease_remaining_s(Clock::time_point now) const;
  // How long a renewal lasts (limits.session.lease), or nothing when the room has the lease off:
  // tablets renew at a fraction of it, whatever the room set.
  std::optional<double> lease_length_s() const;

  // The session's child, whose caps tighten the room's limits until the next start (S15).
  void set_child(const config::Child* child);

  // A wanted swing setting beyond a limit, at the moment it began to be clamped (S16), or a
  // spin held for a rotary pause (S8).
  struct Clamp {
    SwingTarget asked;
    double max_amplitude_deg;
    double min_period_s;
    double max_rate_rev_s;
    RotaryLimiter::Hold hold;  // none: a rate, amplitude or period clamp
    double revolutions;        // turned in this direction when a hold began
    bool by_child;             // the child's cap, tighter than the room's, was what clamped it
  };
  std::vector<Clamp> take_clamps();
  // The last tick's wish was clamped by a limit, or its spin held for a rotary pause (for the
  // session's dose).
  bool clamping() const { return was_clamped_; }
  bool rotary_held() const { return last_hold_ != RotaryLimiter::Hold::none; }

  const Interlocks& interlocks() const { return interlocks_; }
  std::vector<InterlockChange> take_changes() { return interlocks_.take_changes(); }

  // True once the output has ramped to rest (used by a safe shutdown and by tests).
  bool swing_at_rest() const { return limiter_.state().at_rest(); }
  const SwingState& swing_output() const { return limiter_.state(); }
  const devices::Drive& swing() const { return *swing_; }
  const std::vector<std::unique_ptr<devices::ModbusInput>>& inputs() const { return inputs_; }

  // A device's health or an input changed, or an interlock tripped or cleared (logic thread).
  void on_change(std::function<void()> handler) { on_change_ = std::move(handler); }

 private:
  bool devices_ready() const;
  // Marks each device that is usable now: from then on its loss trips (before, it is only
  // "not ready": a device that never answered is no trip).
  void arm();
  void observe(Clock::time_point now);
  void stop_motion();
  void device_changed();
  void note_clamps(const SwingTarget& target);

  config::Limits limits_;
  std::unique_ptr<devices::Drive> swing_;
  std::vector<std::unique_ptr<devices::ModbusInput>> inputs_;
  SwingLimiter limiter_;
  Interlocks interlocks_;
  bool swing_armed_ = false;  // trips on loss only after the drive has been usable once
  std::vector<bool> inputs_armed_;
  bool reflex_pending_ = false;  // a reflex held the drive; released once stop_motion() ran
  std::atomic<bool> estop_command_held_{false};  // hold_for_estop_command() held the drive
  std::optional<Clock::time_point> lease_expires_;
  bool child_capped_ = false;
  bool was_clamped_ = false;
  RotaryLimiter::Hold last_hold_ = RotaryLimiter::Hold::none;
  std::vector<Clamp> clamps_;
  std::function<void()> on_change_;
  std::optional<Clock::time_point> last_update_;
};

}  // namespace sensoryd
