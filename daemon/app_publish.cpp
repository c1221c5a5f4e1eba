// App: what sensoryd tells tablets and the clinical log (retained state and events), and how a
// session responds to the interlocks.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "daemon/app.hpp"
#include "daemon/status_json.hpp"

namespace sensoryd {

namespace {
using json = nlohmann::json;
using namespace std::chrono_literals;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace

void App::publish_retained_state() {
  publish_profiles();
  publish_session();
  last_device_payloads_.clear();  // a new connection always gets the device state
  last_safety_payload_.clear();
  publish_devices();
  publish_safety();
}

void App::publish_profiles() {
  mqtt_.publish(topic_prefix_ + "profiles", profiles_json(room_.profiles), true);
}

void App::publish_session() {
  last_session_publish_ = Clock::now();
  mqtt_.publish(topic_prefix_ + "session", session_json(engine_.snapshot(Clock::now())), true);
}

void App::publish_devices() {
  last_devices_publish_ = Clock::now();
  // Readings change every poll; a once-a-second update is enough, and an unchanged one is not
  // sent again (the retained copy on the broker is already current).
  auto publish = [this](const std::string& id, std::string payload) {
    auto& last = last_device_payloads_[id];
    if (payload == last && mqtt_.connected()) return;
    last = payload;
    mqtt_.publish(topic_prefix_ + "devices/" + id, payload, true);
  };
  publish(supervisor_->swing().id(), swing_device_json(supervisor_->swing()));
  for (const auto& input : supervisor_->inputs()) {
    publish(input->id(), input_device_json(*input));
  }
}

void App::publish_safety() {
  auto now = Clock::now();
  SafetyStatus status{supervisor_->motion_allowed(),
                      &supervisor_->interlocks(),
                      supervisor_->lease_remaining_s(now),
                      supervisor_->motion_refusal(),
                      now,
                      std::chrono::system_clock::now()};
  std::string payload = safety_json(status);
  if (payload == last_safety_payload_ && mqtt_.connected()) return;
  last_safety_payload_ = payload;
  mqtt_.publish(topic_prefix_ + "safety", payload, true);
}

void App::record(const std::string& type, const std::string& fields_json) {
  std::string line = event_json(std::chrono::system_clock::now(), type, fields_json);
  mqtt_.publish(topic_prefix_ + "events", line, false);
  bool written = session_log_.append(line);
  if (written == session_log_failed_) {
    session_log_failed_ = !written;
    if (written) {
      spdlog::warn("session log: writing again to {}", session_log_.file().string());
    } else {
      spdlog::error("session log: {}; sessions still run, but are not recorded",
                    session_log_.error());
    }
  }
}

void App::publish_engine_events() {
  auto events = engine_.take_events();
  for (const auto& event : events) {
    switch (event.type) {
      case EngineEvent::Type::session_started:
        break;  // published with the reply, where the session id is known
      case EngineEvent::Type::step_changed:
        spdlog::info("session: step {} '{}'", event.step_index, event.step_name);
        record("step_changed", dump(json{{"session_id", engine_.session_id()},
                                         {"index", event.step_index},
                                         {"name", event.step_name}}));
        break;
      case EngineEvent::Type::session_ended:
        spdlog::info("session: ended ({})", event.reason);
        supervisor_->end_lease();
        record("session_ended",
               dump(json{{"session_id", engine_.session_id()}, {"reason", event.reason}}));
        break;
    }
  }
  if (!events.empty()) {
    publish_session();
    publish_safety();
  }
}

void App::pause_for(const std::string& reason, Clock::time_point now) {
  if (!engine_.pause(now)) return;
  spdlog::warn("session: paused ({})", reason);
  record("session_paused", dump(json{{"session_id", engine_.session_id()}, {"reason", reason}}));
  publish_session();
}

void App::handle_interlock_changes(Clock::time_point now) {
  auto changes = supervisor_->take_changes();
  for (const auto& change : changes) {
    const CauseRecord& r = change.record;
    json fields{{"cause", to_string(r.cause)}, {"source", r.source}, {"detail", r.detail}};
    if (engine_.state() != SessionState::idle) fields["session_id"] = engine_.session_id();
    switch (change.type) {
      case InterlockChange::Type::tripped:
        spdlog::warn("interlock tripped: {} ({}){}", to_string(r.cause), r.detail,
                     r.latched ? "; latched until reset" : "");
        fields["latched"] = r.latched;
        record("interlock_tripped", dump(fields));
        break;
      case InterlockChange::Type::cleared:
        spdlog::info("interlock cleared: {} ({})", to_string(r.cause), r.detail);
        record("interlock_cleared", dump(fields));
        break;
      case InterlockChange::Type::reset:
        spdlog::info("interlock reset: {} ({})", to_string(r.cause), r.detail);
        record("interlock_reset", dump(fields));
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
    }
  }
  if (!changes.empty()) {
    publish_engine_events();
    publish_safety();
  }
}

void App::enforce_session_cap(Clock::time_point now) {
  if (engine_.state() != SessionState::running && engine_.state() != SessionState::paused) return;
  auto elapsed = std::chrono::duration<double>(engine_.snapshot(now).elapsed_s);
  if (elapsed < room_.limits.session.max_duration) return;
  // S12: the session ends through the profile's wind-down.
  spdlog::warn(
      "session: reached the room's length cap of {} min; winding down",
      std::chrono::duration_cast<std::chrono::minutes>(room_.limits.session.max_duration).count());
  engine_.stop("session_length_cap", now, true);
  publish_engine_events();
}

void App::devices_changed() {
  publish_devices();
  if (supervisor_->motion_allowed() && mqtt_.connected()) notifier_.ready();
  handle_interlock_changes(Clock::now());
  publish_safety();
}

}  // namespace sensoryd
