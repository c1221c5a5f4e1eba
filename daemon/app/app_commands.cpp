// App: inbound messages from the Intake, a slice at a time, and tablet commands over MQTT
// (docs/mqtt-api.md): parsed, carried out by SessionControl, and answered exactly once, on the
// request's response topic or on `reply`, once what the command recorded is on disk.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "daemon/app/app.hpp"
#include "daemon/app/command_topic.hpp"
#include "daemon/session/command.hpp"

namespace sensoryd {

namespace {

// Messages handled per turn of the logic thread: small enough that a safety handler queued
// behind a turn waits well under a millisecond, large enough to keep up with any tablet.
constexpr std::size_t kDrainSlice = 16;

std::string request_id_of(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object()) return {};
  auto id = j.find("request_id");
  return id != j.end() && id->is_string() ? id->get<std::string>() : std::string();
}

}  // namespace

void App::drain() {
  logic_thread_.check("the intake's drain");
  if (finished_) return;
  Intake::Batch batch = gate_->intake().take(kDrainSlice);
  auto now = Clock::now();
  for (const auto& message : batch.messages) {
    records_before_command_ = last_record_;
    handle_message(message);
  }
  for (const auto& message : batch.busy) {
    records_before_command_ = last_record_;
    if (!busy_replies_.allow(now)) {
      ++refusals_unrecorded_;
      ++replies_unsent_;
      continue;
    }
    refuse(message, {request_id_of(message.payload), "busy",
                     "sensoryd is receiving more commands than it can handle: try again"});
  }
  // One state publish for the slice (at most one per tick), then the replies waiting on it.
  if (state_->publish_state(Clock::now(), false)) flush_outbox();
  flush_outbox();
  if (batch.more) post([this] { drain(); });
}

void App::report_intake(Clock::time_point now) {
  if (now - last_intake_report_ < std::chrono::seconds(1)) return;
  last_intake_report_ = now;
  Intake::Counts counts = gate_->intake().take_counts();
  // A flood has passed: give the memory it took back to the system, so that a daemon that has
  // weathered one does not keep its high-water mark for good.
  if (flooded_last_second_ && !counts.any()) ::malloc_trim(0);
  flooded_last_second_ = counts.any();
  std::uint64_t unrecorded = refusals_unrecorded_ + counts.commands_dropped;
  std::uint64_t unanswered = replies_unsent_ + counts.commands_dropped;
  refusals_unrecorded_ = 0;
  replies_unsent_ = 0;
  if (counts.device_messages_dropped > 0 || unanswered > 0) {
    spdlog::warn(
        "mqtt: flooded: {} command(s) left without an answer and {} device message(s) dropped "
        "in the last second",
        unanswered, counts.device_messages_dropped);
  }
  if (unrecorded > 0) {
    // The clinical log holds a bounded number of refusals per second, and this count of the rest.
    record(EventType::command_refusals_unrecorded,
           {{"count", static_cast<std::int64_t>(unrecorded)},
            {"unanswered", static_cast<std::int64_t>(unanswered)}});
  }
}

void App::handle_message(const InboundMessage& message) {
  logic_thread_.check("a command");
  auto topic = parse_command_topic(message.topic, topic_prefix_);
  if (!topic) {
    // Over the link's ceiling: its payload was not kept, and a device's state or Home
    // Assistant's message cut short means nothing.
    if (message.payload_bytes > message.payload.size()) return;
    if (discovery_.handle(message.topic, message.payload, Clock::now())) return;
    if (!route_device_message(message)) {
      spdlog::debug("mqtt: no device listens on {}", message.topic);
    }
    return;
  }
  if (topic->user.empty() && room_.mqtt.require_identity) {
    // The sender is whoever could publish there: not an identity the room accepts.
    refuse(message, {request_id_of(message.payload), "identity_required",
                     "this room takes commands only from signed-in users, on " + topic_prefix_ +
                         "user/<your user name>/cmd/" + std::string{topic->action}});
    return;
  }
  if (message.retained) {
    // A retained command is old by nature; acting on it replays the past (docs/safety.md S17).
    // Commands are subscribed with Retain As Published, so a retained one is known as such
    // whether the broker sends it on connect or passes it on live. An empty one is a retained
    // command being cleared (by us, below): nothing to answer.
    if (message.payload.empty() && message.payload_bytes == 0) return;
    refuse(message, {request_id_of(message.payload), "retained_command",
                     "commands must not be retained: publish it again without the retain flag"});
    // Cleared from the broker, so that it is not handed to every new subscriber and to each of
    // our reconnects (the room's ACL lets sensoryd clear commands, docs/security.md).
    mqtt_->publish(message.topic, "", true);
    return;
  }
  auto parsed =
      parse_command(topic->action, message.payload, message.received_at, message.payload_bytes);
  if (auto* error = std::get_if<CommandError>(&parsed)) {
    refuse(message, *error);
    return;
  }
  auto& command = std::get<Command>(parsed);
  // The broker let only this user publish on this path: that is who gave the command, whatever
  // the payload says.
  if (!topic->user.empty()) command.therapist = std::string{topic->user};
  Outcome outcome = control_.execute(command, Clock::now(), std::chrono::system_clock::now());
  flush_control(command.action == Action::estop);
  if (outcome.ok) {
    // A lease renews whether or not it is answered; a flood of them is answered at a bounded
    // rate, so that its replies never crowd out another command's.
    if (command.action == Action::lease && !lease_replies_.allow(Clock::now())) {
      ++replies_unsent_;
      return;
    }
    reply(message, ok_reply(command.request_id, outcome.session_id));
  } else {
    refuse(message, {command.request_id, outcome.code, outcome.message});
  }
}

void App::reply(const InboundMessage& message, const std::string& payload) {
  // Sent once the records this command wrote are on disk and the state it changed is
  // published, so that a client that has the reply finds the retained topics already current.
  std::uint64_t after = last_record_ > records_before_command_ ? last_record_ : 0;
  auto topic = parse_command_topic(message.topic, topic_prefix_);
  bool urgent = topic && topic->action == "estop";
  bool to_response_topic = !message.response_topic.empty();
  outbox_.reply(after, to_response_topic ? message.response_topic : topic_prefix_ + "reply",
                payload, to_response_topic ? message.correlation_data : std::string(), urgent);
  flush_outbox();
}

void App::refuse(const InboundMessage& message, const CommandError& error) {
  // A flood of bad commands is answered, but logged and recorded at a bounded rate (the rest
  // counted, and the count recorded once a second).
  if (refusal_records_.allow(Clock::now())) {
    spdlog::info("command {} refused: {} ({})", message.topic, error.code, error.message);
    auto topic = parse_command_topic(message.topic, topic_prefix_);
    record(EventType::command_refused,
           {{"action", std::string{topic ? topic->action : message.topic}},
            {"code", error.code},
            {"request_id", error.request_id},
            {"message", error.message}});
  } else {
    ++refusals_unrecorded_;
  }
  // Answered at a bounded rate too: a flood's refusals must not crowd out the replies to a
  // tablet's commands on their way to the broker.
  if (!refusal_replies_.allow(Clock::now())) {
    ++replies_unsent_;
    return;
  }
  reply(message, error_reply(error));
}

}  // namespace sensoryd
