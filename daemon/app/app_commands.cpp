// App: tablet commands over MQTT (docs/mqtt-api.md): parsed, carried out by SessionControl, and
// answered exactly once, on the request's response topic or on `reply`.
#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"
#include "daemon/session/command.hpp"

namespace sensoryd {

void App::handle_message(const InboundMessage& message) {
  if (!message.topic.starts_with(topic_prefix_ + "cmd/")) {
    if (!route_device_message(message)) {
      spdlog::debug("mqtt: no device listens on {}", message.topic);
    }
    return;
  }
  if (message.retained) {
    // A retained command is old by nature; acting on it replays the past (docs/safety.md S17).
    spdlog::warn("ignored retained command on {}: commands must not be retained", message.topic);
    return;
  }
  std::string action = message.topic.substr(topic_prefix_.size() + 4);  // after "cmd/"
  auto parsed = parse_command(action, message.payload, std::chrono::system_clock::now());
  if (auto* error = std::get_if<CommandError>(&parsed)) {
    refuse(message, *error);
    return;
  }
  const auto& command = std::get<Command>(parsed);
  Outcome outcome = control_.execute(command, Clock::now(), std::chrono::system_clock::now());
  // The state the command changed is published first, so that a client that has the reply
  // finds the retained topics already current.
  flush_control();
  if (outcome.ok) {
    reply(message, ok_reply(command.request_id, outcome.session_id));
  } else {
    refuse(message, {command.request_id, outcome.code, outcome.message});
  }
}

void App::reply(const InboundMessage& message, const std::string& payload) {
  if (!message.response_topic.empty()) {
    mqtt_->publish_reply(message.response_topic, payload, message.correlation_data);
  } else {
    mqtt_->publish_reply(topic_prefix_ + "reply", payload, {});
  }
}

void App::refuse(const InboundMessage& message, const CommandError& error) {
  spdlog::info("command {} refused: {} ({})", message.topic, error.code, error.message);
  reply(message, error_reply(error));
  record("command_refused", {{"action", message.topic.substr(topic_prefix_.size() + 4)},
                             {"code", error.code},
                             {"request_id", error.request_id},
                             {"message", error.message}});
}

}  // namespace sensoryd
