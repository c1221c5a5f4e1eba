#include "daemon/session/session_control.hpp"

#include <spdlog/spdlog.h>

#include "daemon/session/child_rules.hpp"
#include "daemon/session/outcomes.hpp"

namespace sensoryd {

using outcomes::done;
using outcomes::refused;
using outcomes::who;

SessionControl::SessionControl(const config::Room& room, SessionEngine& engine,
                               SafetySupervisor& supervisor, std::shared_ptr<spdlog::logger> log)
    : room_(room),
      engine_(engine),
      supervisor_(supervisor),
      log_(log ? std::move(log) : spdlog::default_logger()) {}

void SessionControl::record(EventType type, Fields fields) {
  records_.push_back(Record{type, std::move(fields)});
}

std::vector<Record> SessionControl::take_records() {
  std::vector<Record> out;
  out.swap(records_);
  return out;
}

bool SessionControl::take_state_changed() {
  bool changed = state_changed_;
  state_changed_ = false;
  return changed;
}

void SessionControl::tick(Clock::time_point now) {
  SwingTarget wanted = engine_.update(now);
  supervisor_.update(wanted, now);
  for (const auto& clamp : supervisor_.take_clamps()) record_clamp(clamp);
  take_engine_events(now);
  handle_interlock_changes(now);
  enforce_session_cap(now);
}

void SessionControl::record_clamp(const SafetySupervisor::Clamp& clamp) {
  using Hold = RotaryLimiter::Hold;
  Fields event{{"session_id", engine_.session_id()}, {"channel", "swing"}};
  if (clamp.hold != Hold::none) {
    // S8: a spin held at rest for the mandatory pause.
    bool reversal = clamp.hold == Hold::reversal;
    const auto& rotary = room_.limits.rotary;
    log_->info(
        "limit clamped: rotary swing held for a pause of {} s ({} after {:.2f} "
        "revolutions)",
        rotary.min_pause_s, reversal ? "before reversing" : "revolution limit reached",
        clamp.revolutions);
    event.set("limit", reversal ? "min_pause_s" : "max_revolutions");
    event.set("asked_speed_rev_s", clamp.asked.speed_rev_s);
    event.set("asked_direction", std::string{config::to_string(clamp.asked.direction)});
    event.set("revolutions", clamp.revolutions);
    event.set("max_revolutions", rotary.max_revolutions);
    event.set("min_pause_s", rotary.min_pause_s);
    event.set("by", "room");
  } else if (clamp.asked.mode == config::SwingMode::rotary) {
    log_->info("limit clamped: rotary swing asked {} rev/s, allowed {} rev/s",
               clamp.asked.speed_rev_s, clamp.max_rate_rev_s);
    event.set("limit", "max_rate_rev_s");
    event.set("asked_speed_rev_s", clamp.asked.speed_rev_s);
    event.set("max_rate_rev_s", clamp.max_rate_rev_s);
    event.set("by", "room");
  } else {
    log_->info("limit clamped: swing asked {} deg / {} s, allowed {} deg / >= {} s{}",
               clamp.asked.amplitude_deg, clamp.asked.period_s, clamp.max_amplitude_deg,
               clamp.min_period_s, clamp.by_child ? " (the child's cap)" : "");
    // Which limit held it, named as the others are: the amplitude's, else the period's.
    event.set("limit", clamp.asked.amplitude_deg > clamp.max_amplitude_deg ? "max_amplitude_deg"
                                                                           : "min_period_s");
    event.set("asked_amplitude_deg", clamp.asked.amplitude_deg);
    event.set("asked_period_s", clamp.asked.period_s);
    event.set("max_amplitude_deg", clamp.max_amplitude_deg);
    event.set("min_period_s", clamp.min_period_s);
    event.set("by", clamp.by_child ? "child" : "room");
  }
  record(EventType::limit_clamped, std::move(event));
}

void SessionControl::devices_changed(Clock::time_point now) {
  handle_interlock_changes(now);
  state_changed_ = true;
}

void SessionControl::take_engine_events(Clock::time_point now) {
  for (const auto& event : engine_.take_events()) {
    state_changed_ = true;
    switch (event.type) {
      case EngineEvent::Type::session_started:
        break;  // recorded by start(), where the request is known
      case EngineEvent::Type::step_changed:
        log_->info("session: step {} '{}'", event.step_index, event.step_name);
        record(EventType::step_changed, Fields{{"session_id", engine_.session_id()},
                                               {"index", std::int64_t{event.step_index}},
                                               {"name", event.step_name}});
        break;
      case EngineEvent::Type::session_ended:
        log_->info("session: ended ({})", event.reason);
        supervisor_.end_lease();
        last_ended_ = Ended{engine_.session_id(), now};
        {
          Fields fields{{"session_id", engine_.session_id()}, {"reason", event.reason}};
          if (event.reason == "stopped" && !stopped_by_.empty()) {
            fields.set("stopped_by", stopped_by_);
          }
          stopped_by_.clear();
          record(EventType::session_ended, std::move(fields));
        }
        break;
    }
  }
}

void SessionControl::pause_for(const std::string& reason, Clock::time_point now) {
  if (!engine_.pause(now, reason)) return;
  log_->warn("session: paused ({})", reason);
  record(EventType::session_paused,
         Fields{{"session_id", engine_.session_id()}, {"reason", reason}});
  state_changed_ = true;
}

void SessionControl::handle_interlock_changes(Clock::time_point now) {
  auto changes = supervisor_.take_changes();
  for (const auto& change : changes) {
    const CauseRecord& r = change.record;
    Fields fields{
        {"cause", std::string{to_string(r.cause)}}, {"source", r.source}, {"detail", r.detail}};
    if (engine_.state() != SessionState::idle) fields.set("session_id", engine_.session_id());
    switch (change.type) {
      case InterlockChange::Type::tripped:
        log_->warn("interlock tripped: {} ({}){}", to_string(r.cause), r.detail,
                   r.latched ? "; latched until reset" : "");
        fields.set("latched", r.latched);
        record(EventType::interlock_tripped, fields);
        break;
      case InterlockChange::Type::cleared:
        log_->info("interlock cleared: {} ({})", to_string(r.cause), r.detail);
        record(EventType::interlock_cleared, fields);
        break;
      case InterlockChange::Type::reset:
        log_->info("interlock reset: {} ({})", to_string(r.cause), r.detail);
        record(EventType::interlock_reset, fields);
        break;
    }
    if (change.type != InterlockChange::Type::tripped) continue;
    if (r.cause == Cause::estop_input || r.cause == Cause::estop_command) {
      // S3: the session ends; the drive is already stopping, so no wind-down steps.
      if (engine_.state() != SessionState::idle) engine_.stop("estop", now, false);
    } else if (engine_.state() == SessionState::running) {
      // S5, S13, S14: motion stops or winds down and the session pauses; only a therapist's
      // resume continues it.
      pause_for(to_string(r.cause), now);
    } else if (engine_.state() == SessionState::winding_down) {
      // A wind-down cannot pause, and must not pick up its fade again when the cause clears:
      // it ends here, and the swing comes to rest.
      engine_.stop(to_string(r.cause), now, false);
    }
  }
  if (!changes.empty()) {
    state_changed_ = true;
    take_engine_events(now);
  }
}

void SessionControl::enforce_session_cap(Clock::time_point now) {
  if (engine_.state() != SessionState::running && engine_.state() != SessionState::paused) return;
  auto elapsed = std::chrono::duration<double>(engine_.elapsed_s(now));
  if (elapsed < room_.limits.session.max_duration) return;
  // S12: the session ends through the profile's wind-down.
  log_->warn("session: reached the room's length cap; winding down");
  engine_.stop("session_length_cap", now, true);
  take_engine_events(now);
}

void SessionControl::shut_down(Clock::time_point now) {
  shutting_down_ = true;
  // No wind-down steps: the swing ramps to rest at once, within systemd's stop timeout.
  if (engine_.state() != SessionState::idle) engine_.stop("shutdown", now, false);
  take_engine_events(now);
}

Outcome SessionControl::execute(const Command& command, Clock::time_point now,
                                std::chrono::system_clock::time_point wall_now) {
  switch (command.action) {
    case Action::estop:
      // Acted on in every state, even while shutting down: the stop is written before the reply.
      log_->warn("E-stop command from {}", who(command));
      supervisor_.estop(who(command), now);
      handle_interlock_changes(now);
      return done();
    case Action::reset:
      return reset(command, now);
    case Action::start:
      return start(command, now, wall_now);
    case Action::resume:
      return resume(now);
    case Action::lease:
      if (!engine_.allows(Action::lease)) {
        return refused("not_allowed_in_state", "no session is running: nothing to supervise");
      }
      supervisor_.renew_lease(now);
      handle_interlock_changes(now);
      state_changed_ = true;
      return done();
    case Action::stop:
      if (!engine_.allows(Action::stop)) {
        return refused("not_allowed_in_state", "no session is running");
      }
      if (stopped_by_.empty()) stopped_by_ = who(command);  // the first stop of a wind-down
      engine_.stop("stopped", now, true);                   // the profile's wind-down runs first
      take_engine_events(now);
      return done();
    case Action::pause:
      if (!engine_.pause(now)) {
        return refused("not_allowed_in_state", "only a running session can be paused");
      }
      record(EventType::session_paused,
             Fields{{"session_id", engine_.session_id()}, {"reason", "therapist"}});
      state_changed_ = true;
      return done();
    case Action::next:
    case Action::previous: {
      bool moved = command.action == Action::next ? engine_.next(now) : engine_.previous(now);
      if (!moved) {
        return refused("not_allowed_in_state",
                       "only a running session moves between steps: resume it first, or start one");
      }
      take_engine_events(now);
      return done();
    }
    case Action::adjust: {
      const AdjustFields* adjust = command.fields<AdjustFields>();
      if (adjust == nullptr) return refused("bad_request", "adjust needs an intensity");
      double before = engine_.snapshot(now).intensity;
      if (!engine_.adjust(adjust->intensity, now)) {
        return refused("not_allowed_in_state", "only a running or paused session can be adjusted");
      }
      // The same intensity again changes nothing: answered, but neither logged nor recorded, so
      // that a tablet repeating itself (or a flood) fills neither the log nor the clinical record.
      if (adjust->intensity == before) return done();
      log_->info("session: intensity {} -> {}", before, adjust->intensity);
      record(EventType::intensity_adjusted, Fields{{"session_id", engine_.session_id()},
                                                   {"from", before},
                                                   {"to", adjust->intensity},
                                                   {"therapist", command.therapist}});
      state_changed_ = true;
      return done();
    }
    case Action::note:
    case Action::response:
      return annotate(command, now);
    case Action::check:
      return check(command, now);
    case Action::validate:
      return validate(command, now, wall_now);
    case Action::go:
      if (!engine_.go(now)) {
        return refused("not_allowed_in_state",
                       "the current step does not wait for go: it moves on by itself");
      }
      take_engine_events(now);
      return done();
    case Action::profile_validate:
    case Action::profile_preview:
    case Action::profile_save:
    case Action::profile_delete:
    case Action::profile_history:
    case Action::profile_restore:
    case Action::child_plan_save:
    case Action::child_plan_history:
      break;  // carried out by the authoring thread (daemon/authoring), never here
  }
  return refused("unknown_action", "'" + std::string{to_string(command.action)} +
                                       "' is not carried out by this version");
}

Outcome SessionControl::start(const Command& command, Clock::time_point now,
                              std::chrono::system_clock::time_point wall_now) {
  if (shutting_down_) {
    return refused("not_allowed_in_state", "sensoryd is shutting down: wait for it to restart");
  }
  if (!engine_.allows(Action::start)) {
    return refused("not_allowed_in_state", "a session is already running: stop it first");
  }
  const StartFields* fields = command.fields<StartFields>();
  if (fields == nullptr) return refused("bad_request", "start needs a profile");
  const StartFields& start = *fields;
  const config::Profile* profile = room_.find_profile(start.profile);
  if (profile == nullptr) {
    return refused("unknown_profile", "there is no profile '" + start.profile +
                                          "': pick one from sensoryd/" + room_.id + "/profiles");
  }
  if (!start.child.empty()) {
    const config::Child* child = room_.find_child(start.child);
    if (child == nullptr) {
      return refused("unknown_child", "there is no child '" + start.child +
                                          "' in this room's configuration: check the id");
    }
    if (auto reason = contraindication(*profile, *child)) {
      return refused("contraindicated", *reason);
    }
  }
  if (!supervisor_.interlocks().causes().empty()) {
    return refused("interlock_active", supervisor_.motion_refusal());
  }
  if (!supervisor_.motion_allowed()) {
    return refused("device_unavailable", supervisor_.motion_refusal());
  }
  // S21: an E-stop or door not seen to work within its interval. Lights and sound need no
  // session, so they stay allowed; a session under way is not cut short when a check falls due.
  if (auto due = checks_ ? checks_->due(wall_now) : std::nullopt) {
    return refused(due->code, due->message);
  }
  // S22: a room that requires it runs only the configuration a technician signed.
  if (auto outdated = validation_ ? validation_->refusal() : std::nullopt) {
    return refused("validation_required", *outdated);
  }
  child_.reset();
  if (!start.child.empty()) child_ = *room_.find_child(start.child);
  supervisor_.set_child(session_child());
  StartRequest request{start.child, command.therapist, start.intensity};
  std::string session_id = engine_.start(*profile, request, now, wall_now);
  supervisor_.start_lease(now);
  log_->info("session {}: started profile {} (therapist '{}', child '{}', intensity {})",
             session_id, profile->id, request.therapist, request.child, request.intensity);
  // Which profile ran, exactly: its version (an authored one's; 0 for the room's) and the
  // SHA-256 of its file, so the clinical record can name what the child was given.
  record(EventType::session_started,
         Fields{{"session_id", session_id},
                {"room", room_.id},
                {"profile", profile->id},
                {"profile_origin",
                 profile->origin == config::ProfileOrigin::authored ? "authored" : "room"},
                {"profile_version", static_cast<std::int64_t>(profile->version)},
                {"profile_sha256", profile->sha256},
                {"child", request.child},
                {"therapist", request.therapist},
                {"intensity", request.intensity}});
  engine_.take_events();  // the start is recorded above
  state_changed_ = true;
  return done(session_id);
}

Outcome SessionControl::resume(Clock::time_point now) {
  if (!engine_.allows(Action::resume)) {
    return refused("not_allowed_in_state", "the session is not paused");
  }
  // A therapist at the tablet is supervising again, whatever lapsed before.
  supervisor_.renew_lease(now);
  handle_interlock_changes(now);
  if (!supervisor_.interlocks().causes().empty()) {
    return refused("interlock_active", supervisor_.motion_refusal());
  }
  if (!supervisor_.motion_allowed()) {
    return refused("device_unavailable", supervisor_.motion_refusal());
  }
  engine_.resume(now);
  record(EventType::session_resumed, Fields{{"session_id", engine_.session_id()}});
  state_changed_ = true;
  return done();
}

std::string SessionControl::annotated_session(Clock::time_point now) const {
  if (engine_.state() != SessionState::idle) return engine_.session_id();
  if (last_ended_ && now - last_ended_->at <= kRecordWindow) return last_ended_->session_id;
  return {};
}

bool SessionControl::allows(Action action, Clock::time_point now) const {
  switch (action) {
    case Action::estop:
      return true;
    case Action::reset:
      return supervisor_.interlocks().reset_possible();
    case Action::note:
    case Action::response:
      return !annotated_session(now).empty();
    case Action::check:
      return checks_ && !checks_->empty() && engine_.allows(action) && supervisor_.swing_at_rest();
    case Action::validate:
      return validation_ && engine_.allows(action);
    case Action::start:
      // Whether motion is allowed is told by `safety`: a start is still offered, and its
      // refusal says what to do.
      return !shutting_down_ && engine_.allows(action);
    default:
      return engine_.allows(action);
  }
}

SessionSnapshot SessionControl::snapshot(Clock::time_point now) const {
  SessionSnapshot snapshot = engine_.snapshot(now);
  for (Action action : kActions) {
    if (allows(action, now)) snapshot.allowed_actions.push_back(action);
  }
  return snapshot;
}

Outcome SessionControl::annotate(const Command& command, Clock::time_point now) {
  const NoteFields* note = command.fields<NoteFields>();
  const ResponseFields* response = command.fields<ResponseFields>();
  if (note == nullptr && response == nullptr) {
    return refused("bad_request", "a note needs its text, a response its values");
  }
  const std::string& asked = note != nullptr ? note->session_id : response->session_id;
  std::string session_id = annotated_session(now);
  if (!asked.empty() && asked != session_id) {
    return refused("not_allowed_in_state",
                   "notes and responses are taken for the running session or the last one, up to "
                   "30 minutes after it ended; '" +
                       asked + "' is neither");
  }
  if (session_id.empty()) {
    return refused("not_allowed_in_state",
                   "no session is running or ended in the last 30 minutes: notes and responses "
                   "belong to a session");
  }
  Fields fields{{"session_id", session_id}, {"therapist", command.therapist}};
  if (note != nullptr) {
    fields.set("text", note->text);
    log_->info("session {}: note from {} ({} bytes)", session_id, who(command), note->text.size());
    record(EventType::session_note, std::move(fields));
    return done(session_id);
  }
  const ResponseFields& r = *response;
  if (r.before) fields.set("before", std::int64_t{*r.before});
  if (r.after) fields.set("after", std::int64_t{*r.after});
  if (r.goal_progress) {
    fields.set("goal", r.goal);
    fields.set("goal_progress", std::int64_t{*r.goal_progress});
  }
  log_->info("session {}: the child's response recorded by {}", session_id, who(command));
  record(EventType::session_response, std::move(fields));
  return done(session_id);
}

Outcome SessionControl::reset(const Command& command, Clock::time_point now) {
  bool tripped = supervisor_.interlocks().tripped();
  auto result = supervisor_.reset();
  if (!result.done) {
    return refused(tripped ? "interlock_active" : "not_allowed_in_state", result.refusal);
  }
  log_->info("interlocks reset by {}", who(command));
  handle_interlock_changes(now);  // records interlock_reset for each cleared trip
  return done();
}

}  // namespace sensoryd
