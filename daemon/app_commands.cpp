// App: tablet commands (MQTT-API.md), each answered exactly once, with a reason a therapist can
// act on when refused.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "daemon/app.hpp"
#include "daemon/child_rules.hpp"
#include "daemon/command.hpp"
#include "daemon/status_json.hpp"

namespace sensoryd {

namespace {
using json = nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string who(const Command& command) {
  return command.therapist.empty() ? "a tablet" : "'" + command.therapist + "'";
}
}  // namespace

void App::handle_message(const InboundMessage& message) {
  if (message.retained) {
    // A retained command is old by nature; acting on it replays the past (SAFETY.md S17).
    spdlog::warn("ignored retained command on {}: commands must not be retained", message.topic);
    return;
  }
  std::string action = message.topic.substr(topic_prefix_.size() + 4);  // after "cmd/"
  auto parsed = parse_command(action, message.payload, std::chrono::system_clock::now());
  if (auto* error = std::get_if<CommandError>(&parsed)) {
    refuse(message, *error);
    return;
  }
  execute(std::get<Command>(parsed), message);
}

void App::execute(const Command& command, const InboundMessage& message) {
  auto now = Clock::now();
  const std::string& id = command.request_id;
  if (command.action == "estop") {
    // Acted on in every state, even while shutting down: the stop is written before the reply.
    spdlog::warn("E-stop command from {}", who(command));
    supervisor_->estop(command.therapist.empty() ? "tablet" : command.therapist, now);
    handle_interlock_changes(now);
    reply(message, ok_reply(id));
    return;
  }
  if (command.action == "reset") {
    reset_interlocks(command, message);
    return;
  }
  if (command.action == "start") {
    start_session(command, message, now);
    return;
  }
  if (command.action == "resume") {
    resume_session(command, message, now);
    return;
  }
  if (command.action == "lease") {
    if (engine_.state() == SessionState::idle) {
      refuse(message, {id, "not_allowed_in_state", "no session is running: nothing to supervise"});
      return;
    }
    supervisor_->renew_lease(now);
    reply(message, ok_reply(id));
    publish_safety();
    return;
  }
  if (command.action == "stop") {
    if (engine_.state() == SessionState::idle) {
      refuse(message, {id, "not_allowed_in_state", "no session is running"});
      return;
    }
    engine_.stop("stopped", now, true);  // the profile's wind-down runs first
    reply(message, ok_reply(id));
    publish_engine_events();
    return;
  }
  if (command.action == "pause") {
    if (!engine_.pause(now)) {
      refuse(message, {id, "not_allowed_in_state", "only a running session can be paused"});
      return;
    }
    reply(message, ok_reply(id));
    record("session_paused",
           dump(json{{"session_id", engine_.session_id()}, {"reason", "therapist"}}));
    publish_session();
    return;
  }
  if (command.action == "go") {
    if (!engine_.go(now)) {
      refuse(message, {id, "not_allowed_in_state",
                       "the current step does not wait for go: it moves on by itself"});
      return;
    }
    reply(message, ok_reply(id));
    publish_engine_events();
    return;
  }
}

void App::start_session(const Command& command, const InboundMessage& message,
                        Clock::time_point now) {
  const std::string& id = command.request_id;
  if (shutting_down_) {
    refuse(message,
           {id, "not_allowed_in_state", "sensoryd is shutting down: wait for it to restart"});
    return;
  }
  if (engine_.state() != SessionState::idle) {
    refuse(message, {id, "not_allowed_in_state", "a session is already running: stop it first"});
    return;
  }
  const config::Profile* profile = room_.find_profile(command.start.profile);
  if (profile == nullptr) {
    refuse(message, {id, "unknown_profile",
                     "there is no profile '" + command.start.profile +
                         "': pick one from sensoryd/" + room_.id + "/profiles"});
    return;
  }
  if (!command.start.child.empty()) {
    const config::Child* child = room_.find_child(command.start.child);
    if (child == nullptr) {
      refuse(message, {id, "unknown_child",
                       "there is no child '" + command.start.child +
                           "' in this room's configuration: check the id"});
      return;
    }
    if (auto reason = contraindication(*profile, *child)) {
      refuse(message, {id, "contraindicated", *reason});
      return;
    }
  }
  if (!supervisor_->interlocks().causes().empty()) {
    refuse(message, {id, "interlock_active", supervisor_->motion_refusal()});
    return;
  }
  if (!supervisor_->motion_allowed()) {
    refuse(message, {id, "device_unavailable", supervisor_->motion_refusal()});
    return;
  }
  StartRequest request{command.start.child, command.therapist, command.start.intensity};
  std::string session_id = engine_.start(*profile, request, now, std::chrono::system_clock::now());
  supervisor_->start_lease(now);
  spdlog::info("session {}: started profile {} (therapist '{}', child '{}', intensity {})",
               session_id, profile->id, request.therapist, request.child, request.intensity);
  reply(message, ok_reply(id, session_id));
  record("session_started", dump(json{{"session_id", session_id},
                                      {"room", room_.id},
                                      {"profile", profile->id},
                                      {"child", request.child},
                                      {"therapist", request.therapist},
                                      {"intensity", request.intensity}}));
  engine_.take_events();  // the start is announced above
  publish_session();
  publish_safety();
}

void App::resume_session(const Command& command, const InboundMessage& message,
                         Clock::time_point now) {
  const std::string& id = command.request_id;
  if (engine_.state() != SessionState::paused) {
    refuse(message, {id, "not_allowed_in_state", "the session is not paused"});
    return;
  }
  // A therapist at the tablet is supervising again, whatever lapsed before.
  supervisor_->renew_lease(now);
  handle_interlock_changes(now);
  if (!supervisor_->interlocks().causes().empty()) {
    refuse(message, {id, "interlock_active", supervisor_->motion_refusal()});
    return;
  }
  if (!supervisor_->motion_allowed()) {
    refuse(message, {id, "device_unavailable", supervisor_->motion_refusal()});
    return;
  }
  engine_.resume(now);
  reply(message, ok_reply(id));
  record("session_resumed", dump(json{{"session_id", engine_.session_id()}}));
  publish_session();
  publish_safety();
}

void App::reset_interlocks(const Command& command, const InboundMessage& message) {
  const std::string& id = command.request_id;
  bool tripped = supervisor_->interlocks().tripped();
  auto result = supervisor_->reset();
  if (!result.done) {
    refuse(message, {id, tripped ? "interlock_active" : "not_allowed_in_state", result.refusal});
    return;
  }
  spdlog::info("interlocks reset by {}", who(command));
  handle_interlock_changes(Clock::now());  // records interlock_reset for each cleared trip
  reply(message, ok_reply(id));
}

void App::reply(const InboundMessage& message, const std::string& payload) {
  if (!message.response_topic.empty()) {
    mqtt_.publish_reply(message.response_topic, payload, message.correlation_data);
  } else {
    mqtt_.publish_reply(topic_prefix_ + "reply", payload, {});
  }
}

void App::refuse(const InboundMessage& message, const CommandError& error) {
  spdlog::info("command {} refused: {} ({})", message.topic, error.code, error.message);
  reply(message, error_reply(error));
  record("command_refused", dump(json{{"action", message.topic.substr(topic_prefix_.size() + 4)},
                                      {"code", error.code},
                                      {"request_id", error.request_id},
                                      {"message", error.message}}));
}

}  // namespace sensoryd
