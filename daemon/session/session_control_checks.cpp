// SessionControl: the room's functional checks of its safety inputs (S21) and the validation of
// its safety configuration (S22): enabling them, the `check` and `validate` commands.
#include <spdlog/spdlog.h>

#include "daemon/session/outcomes.hpp"
#include "daemon/session/session_control.hpp"
#include "daemon/session/utc_time.hpp"

namespace sensoryd {

using outcomes::done;
using outcomes::refused;
using outcomes::who;

void SessionControl::enable_checks(const std::vector<FunctionalChecks::Pass>& restored,
                                   FunctionalChecks::StartOfDay start_of_day,
                                   std::function<Clock::time_point()> clock) {
  checks_.emplace(room_.limits.checks, supervisor_, std::move(start_of_day), std::move(clock));
  checks_->restore(restored);
}

void SessionControl::observe_checks(Clock::time_point now,
                                    std::chrono::system_clock::time_point wall_now) {
  if (!checks_) return;
  if (checks_->observe(now, wall_now)) state_changed_ = true;
  for (auto& r : checks_->take_records()) records_.push_back(std::move(r));
}

Outcome SessionControl::check(const Command& command, Clock::time_point now) {
  const CheckFields* fields = command.fields<CheckFields>();
  if (fields == nullptr) return refused("bad_request", "check needs input");
  if (!checks_) {
    return refused("unknown_input", "this room has no functional checks of its safety inputs");
  }
  // A check never moves anything, and nothing may be moving while it is made.
  if (!allows(Action::check, now)) {
    return refused("not_allowed_in_state",
                   "a check is made with no session and the swing at rest: stop the session and "
                   "wait for the swing to stop");
  }
  if (auto refusal = checks_->guide(fields->input, who(command), now)) {
    return refused(refusal->code, refusal->message);
  }
  state_changed_ = true;
  return done();
}

void SessionControl::enable_validation(const std::string& safety_sha256,
                                       const ValidationState::History& history,
                                       std::chrono::system_clock::time_point loaded_at) {
  validation_.emplace(safety_sha256, room_.limits.checks.require_validation, history, loaded_at);
}

Outcome SessionControl::validate(const Command& command, Clock::time_point now,
                                 std::chrono::system_clock::time_point wall_now) {
  if (!validation_) {
    return refused("unknown_action", "this room keeps no validation record");
  }
  if (!allows(Action::validate, now)) {
    return refused("not_allowed_in_state",
                   "a validation is signed with no session running: stop the session first");
  }
  auto signed_off = validation_->sign(who(command), wall_now);
  log_->info("validation: the safety configuration {} signed by {}", signed_off.safety_sha256,
             signed_off.by);
  record(EventType::validation_signed, Fields{{"by", signed_off.by},
                                              {"safety_sha256", signed_off.safety_sha256},
                                              {"signed_at", utc_text(signed_off.at)}});
  state_changed_ = true;
  return done();
}

}  // namespace sensoryd
