// What the room does with a tablet's command or an interlock's trip: the rules between the
// session engine and the safety supervisor (start only when allowed, a trip ends or pauses the
// session, the length cap). Deterministic, time passed in; the App carries its results over
// MQTT and into the session log. Its members live in session_control.cpp (sessions, trips) and
// session_control_checks.cpp (the functional checks and the validation, S21 and S22).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "daemon/session/command.hpp"
#include "daemon/session/record.hpp"
#include "daemon/session/safety_checks.hpp"
#include "daemon/session/session_engine.hpp"
#include "daemon/session/validation_state.hpp"

namespace spdlog {
class logger;
}

namespace sensoryd {

struct Outcome {
  bool ok = false;
  std::string code;     // the error code when refused (docs/mqtt-api.md)
  std::string message;  // what the therapist should do, when refused
  std::string session_id;
};

class SessionControl {
 public:
  using Clock = std::chrono::steady_clock;
  // How long after a session ends its notes and the child's response are still taken.
  static constexpr std::chrono::minutes kRecordWindow{30};

  // `log`: where what happens is told; spdlog's default logger (the journal) when null. A
  // preview passes one that discards it: a computed session is not the room's.
  SessionControl(const config::Room& room, SessionEngine& engine, SafetySupervisor& supervisor,
                 std::shared_ptr<spdlog::logger> log = nullptr);

  // One control tick: the engine's wish through the supervisor to the equipment, then what
  // the interlocks and the session cap ask of the session.
  void tick(Clock::time_point now);
  // Called when a device or input changed between ticks.
  void devices_changed(Clock::time_point now);

  // S21: the room's functional checks of its E-stop and door, restored from the clinical log.
  // Without this call (a preview, a test of other things) no check is ever due.
  void enable_checks(const std::vector<FunctionalChecks::Pass>& restored,
                     FunctionalChecks::StartOfDay start_of_day = FunctionalChecks::local_day_start,
                     std::function<Clock::time_point()> clock = Clock::now);
  // Shows the safety inputs' readings to the checks; records each pass (each tick, and when a
  // device changed).
  void observe_checks(Clock::time_point now, std::chrono::system_clock::time_point wall_now);
  const SafetyChecks* checks() const { return checks_ ? &*checks_ : nullptr; }
  // S22: the validation of the safety configuration in force (`safety_sha256`), from the
  // clinical log's history. Without this call nothing is ever outdated or required.
  void enable_validation(const std::string& safety_sha256, const ValidationState::History& history,
                         std::chrono::system_clock::time_point loaded_at);
  const ValidationState* validation() const { return validation_ ? &*validation_ : nullptr; }

  // Carries out a parsed command. `room_` supplies the profiles and children current now.
  Outcome execute(const Command& command, Clock::time_point now,
                  std::chrono::system_clock::time_point wall_now);
  // Ends any session at once for a shutdown; starts are refused from then on.
  void shut_down(Clock::time_point now);

  // The session as published: the engine's snapshot with the actions a command may take now
  // (docs/mqtt-api.md, `allowed_actions`), each decided by the rule its command is refused by.
  SessionSnapshot snapshot(Clock::time_point now) const;
  bool allows(Action action, Clock::time_point now) const;

  // The child of the session running (or last run), as the room knew it at the start: a plan
  // saved or a reload meanwhile never changes a running session's caps. Null when none.
  const config::Child* session_child() const { return child_ ? &*child_ : nullptr; }

  // Events since the last call, in order.
  std::vector<Record> take_records();
  // True when the session or safety state changed since the last call (worth publishing now).
  bool take_state_changed();

 private:
  Outcome start(const Command& command, Clock::time_point now,
                std::chrono::system_clock::time_point wall_now);
  Outcome resume(Clock::time_point now);
  Outcome check(const Command& command, Clock::time_point now);
  Outcome validate(const Command& command, Clock::time_point now,
                   std::chrono::system_clock::time_point wall_now);
  Outcome reset(const Command& command, Clock::time_point now);
  // A note or the child's response, for the running session or one that ended at most
  // kRecordWindow ago.
  Outcome annotate(const Command& command, Clock::time_point now);
  // The session a note or response goes to now: the running one, or the last one within
  // kRecordWindow of its end; empty when none.
  std::string annotated_session(Clock::time_point now) const;
  void handle_interlock_changes(Clock::time_point now);
  void take_engine_events(Clock::time_point now);
  void pause_for(const std::string& reason, Clock::time_point now);
  void enforce_session_cap(Clock::time_point now);
  void record(EventType type, Fields fields);
  void record_clamp(const SafetySupervisor::Clamp& clamp);

  const config::Room& room_;
  SessionEngine& engine_;
  SafetySupervisor& supervisor_;
  std::shared_ptr<spdlog::logger> log_;
  bool shutting_down_ = false;
  bool state_changed_ = false;
  std::vector<Record> records_;
  struct Ended {
    std::string session_id;
    Clock::time_point at;
  };
  std::optional<Ended> last_ended_;
  // Who sent the `stop` that is winding the session down (its `session_ended` names them).
  std::string stopped_by_;
  std::optional<config::Child> child_;  // the session's child, copied at its start
  std::optional<SafetyChecks> checks_;
  std::optional<ValidationState> validation_;
};

}  // namespace sensoryd
