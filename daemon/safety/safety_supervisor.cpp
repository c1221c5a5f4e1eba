#include "daemon/safety/safety_supervisor.hpp"

#include <spdlog/spdlog.h>

namespace sensoryd {

namespace {

std::string input_words(const devices::ModbusInput& input) {
  switch (input.role()) {
    case config::InputRole::estop:
      return "the E-stop '" + input.id() + "' is pressed";
    case config::InputRole::door:
      return "the door '" + input.id() + "' is open";
    default:
      return "input '" + input.id() + "' is active";
  }
}

}  // namespace

SafetySupervisor::SafetySupervisor(const config::Limits& limits,
                                   std::unique_ptr<devices::Drive> swing,
                                   std::vector<std::unique_ptr<devices::ModbusInput>> inputs)
    : limits_(limits),
      swing_(std::move(swing)),
      inputs_(std::move(inputs)),
      limiter_(limits.swing, limits.rotary,
               limits.rotary.max_rate_rev_s *
                   std::chrono::duration<double>(swing_->comm_loss_timeout()).count()),
      inputs_armed_(inputs_.size(), false) {
  swing_->on_change([this] { device_changed(); });
  for (auto& input : inputs_) {
    input->on_change([this] { device_changed(); });
    // The stop does not wait for this thread: the bus that reads the press holds the drive
    // disabled at once, and observe() latches the trip on that evidence (S3, S19).
    devices::Drive* drive = swing_.get();
    if (input->is_safety_input()) input->set_stop_reflex([drive] { drive->hold_stop(); });
  }
}

bool SafetySupervisor::devices_ready() const {
  if (!swing_->ready_for_motion()) return false;
  for (const auto& input : inputs_) {
    if (input->is_safety_input() && !input->fresh()) return false;
  }
  return true;
}

bool SafetySupervisor::motion_allowed() const {
  return devices_ready() && interlocks_.causes().empty();
}

MotionRefusal SafetySupervisor::refusal() const {
  for (const auto& record : interlocks_.causes()) {
    if (record.latched) {
      return {RefusalCode::trip_latched,
              {{"cause", record.detail},
               {"reset_possible", interlocks_.reset_possible() ? "true" : "false"}}};
    }
  }
  if (interlocks_.holds(Cause::door_open)) return {RefusalCode::door_open, {}};
  if (!usable(swing_->health())) {
    return {RefusalCode::drive_unusable,
            {{"device", swing_->id()},
             {"health", std::string{devices::to_string(swing_->health())}},
             {"detail", swing_->health_detail()}}};
  }
  if (!swing_->watchdog_confirmed()) {
    return {RefusalCode::watchdog_unconfirmed, {{"device", swing_->id()}}};
  }
  for (const auto& input : inputs_) {
    if (input->is_safety_input() && !input->fresh()) {
      return {RefusalCode::input_stale,
              {{"device", input->id()}, {"detail", input->health_detail()}}};
    }
  }
  if (interlocks_.holds(Cause::lease_lapsed)) return {RefusalCode::lease_lapsed, {}};
  return {};
}

// Turns what the devices say now into interlock conditions.
void SafetySupervisor::arm() {
  if (usable(swing_->health())) swing_armed_ = true;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i]->fresh()) inputs_armed_[i] = true;
  }
}

void SafetySupervisor::observe(Clock::time_point now) {
  using devices::Health;
  arm();
  // Each detail is worded only when its condition holds: this runs every tick.
  if (swing_armed_) {
    bool lost = swing_->health() == Health::lost;
    interlocks_.set(
        Cause::device_lost, swing_->id(), lost, now,
        lost ? "the swing drive '" + swing_->id() + "' is lost: " + swing_->health_detail()
             : std::string{});
  }
  bool fault = swing_->health() == Health::fault;
  interlocks_.set(
      Cause::device_fault, swing_->id(), fault, now,
      fault ? "the swing drive '" + swing_->id() + "' reports a fault: " + swing_->health_detail()
            : std::string{});
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    const auto& input = *inputs_[i];
    if (!input.is_safety_input()) continue;
    Cause cause = input.role() == config::InputRole::estop ? Cause::estop_input : Cause::door_open;
    if (inputs_[i]->take_reflex()) {
      // The bus saw the press and already holds the drive disabled: trip on that reading, even
      // should this thread's debounced view not show it (a press shorter than a poll).
      interlocks_.set(cause, input.id(), true, now, input_words(input));
      reflex_pending_ = true;
    }
    if (inputs_armed_[i]) {
      bool stale = !input.fresh();
      interlocks_.set(Cause::safety_input_stale, input.id(), stale, now,
                      stale ? "the safety input '" + input.id() +
                                  "' has no current reading: " + input.health_detail()
                            : std::string{});
    }
    if (!input.fresh()) continue;  // a stale input's last state is not evidence either way
    interlocks_.set(cause, input.id(), input.active(), now,
                    input.active() ? input_words(input) : std::string{});
  }
  if (lease_expires_ && limits_.session.lease_required) {
    interlocks_.set(Cause::lease_lapsed, "tablet", now > *lease_expires_, now,
                    "no tablet renewed the supervision lease");
  }
  // This gate orders the stop itself, which lets the reflex's hold go: even a door that was
  // open for less than a poll (its trip already cleared) never leaves the drive held.
  if (reflex_pending_) stop_motion();
}

void SafetySupervisor::stop_motion() {
  // Category 1 stop (S3): the drive is disabled and ramps down at its own maximum deceleration
  // (its comm-loss action is a ramp stop too). Later motion starts again from rest.
  limiter_.reset_to_rest();
  swing_->apply(devices::SwingOutput(false, config::SwingMode::off, 0.0, 0.0, 0.0,
                                     limiter_.state().direction));
  if (reflex_pending_) {
    // The trip is latched and this gate has ordered the stop itself: the reflex's hold is done.
    swing_->release_stop();
    reflex_pending_ = false;
  }
}

void SafetySupervisor::device_changed() {
  // Armed at once, even before the first tick: a device that was usable for a moment and is
  // lost before the next tick still trips when that tick observes it (S5).
  arm();
  // Reacts at once rather than at the next tick, so that an E-stop press reaches the drive
  // within a safety poll (S3). Time is the last tick's: the change arrived after it.
  if (last_update_) {
    observe(*last_update_);
    if (interlocks_.stop_required()) stop_motion();
  }
  if (on_change_) on_change_();
}

void SafetySupervisor::estop(const std::string& who, Clock::time_point now) {
  if (estop_command_held_.exchange(false)) reflex_pending_ = true;  // let go by stop_motion()
  interlocks_.trip(Cause::estop_command, who, now, "E-stop sent by " + who);
  stop_motion();
  if (on_change_) on_change_();
}

Interlocks::ResetResult SafetySupervisor::reset() {
  auto result = interlocks_.reset();
  if (result.done && on_change_) on_change_();
  return result;
}

void SafetySupervisor::set_child(const config::Child* child) {
  std::optional<double> cap;
  if (child != nullptr) cap = child->max_amplitude_deg;
  limiter_.set_amplitude_cap(cap);
  child_capped_ = cap && *cap < limits_.swing.max_amplitude_deg;
}

std::vector<SafetySupervisor::Clamp> SafetySupervisor::take_clamps() {
  std::vector<Clamp> out;
  out.swap(clamps_);
  return out;
}

void SafetySupervisor::start_lease(Clock::time_point now) {
  lease_expires_ = now + limits_.session.lease;
}

void SafetySupervisor::renew_lease(Clock::time_point now) {
  if (!lease_expires_) return;
  lease_expires_ = now + limits_.session.lease;
  interlocks_.set(Cause::lease_lapsed, "tablet", false, now);
}

void SafetySupervisor::end_lease() {
  lease_expires_.reset();
  if (last_update_) interlocks_.set(Cause::lease_lapsed, "tablet", false, *last_update_);
}

std::optional<double> SafetySupervisor::lease_length_s() const {
  if (!limits_.session.lease_required) return std::nullopt;
  return std::chrono::duration<double>(limits_.session.lease).count();
}

std::optional<double> SafetySupervisor::lease_remaining_s(Clock::time_point now) const {
  if (!lease_expires_ || !limits_.session.lease_required) return std::nullopt;
  return std::max(0.0, std::chrono::duration<double>(*lease_expires_ - now).count());
}

void SafetySupervisor::update(const SwingTarget& wanted, Clock::time_point now) {
  std::chrono::duration<double> dt{0.0};
  if (last_update_) dt = now - *last_update_;
  last_update_ = now;
  swing_->tick(now);
  for (auto& input : inputs_) input->tick(now);
  observe(now);
  // A drive that cannot be read may still be turning: a rotary pause does not count then.
  const auto& reading = swing_->reading();
  bool drive_turning = !reading.valid || reading.running;

  if (!swing_->ready_for_motion() || interlocks_.stop_required()) {
    // The drive cannot be trusted with motion, or an interlock holds: ask it to stop (it ramps
    // down by itself) and start any later motion from rest, never from where the ramp was.
    stop_motion();
    limiter_.step(SwingTarget{}, dt, drive_turning);  // the rotary pause runs during a stop
    return;
  }
  // A lapsed lease winds motion down at the limiter's rate instead (S13).
  SwingTarget target = interlocks_.wind_down_required() ? SwingTarget{} : wanted;
  const SwingState& state = limiter_.step(target, dt, drive_turning);
  note_clamps(target);
  swing_->apply(devices::SwingOutput(state.enabled, state.mode, state.amplitude_deg, state.period_s,
                                     state.speed_rev_s, state.direction));
}

void SafetySupervisor::note_clamps(const SwingTarget& target) {
  if (limiter_.last_target_clamped() && !was_clamped_) {
    Clamp clamp{target,
                limiter_.max_amplitude_deg(),
                limits_.swing.min_period_s,
                limits_.rotary.max_rate_rev_s,
                RotaryLimiter::Hold::none,
                0.0,
                false};
    clamp.by_child = child_capped_ && target.mode == config::SwingMode::linear &&
                     target.amplitude_deg > limiter_.max_amplitude_deg();
    clamps_.push_back(clamp);
  }
  was_clamped_ = limiter_.last_target_clamped();
  auto hold = limiter_.rotary_hold();
  if (hold != RotaryLimiter::Hold::none && hold != last_hold_) {
    clamps_.push_back(Clamp{target, limiter_.max_amplitude_deg(), limits_.swing.min_period_s,
                            limits_.rotary.max_rate_rev_s, hold, limiter_.rotary().revolutions(),
                            false});
  }
  last_hold_ = hold;
}

}  // namespace sensoryd
