#include "daemon/app/command_desk.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "daemon/app/command_topic.hpp"
#include "daemon/session/command.hpp"

namespace sensoryd {

namespace {

std::string request_id_of(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object()) return {};
  auto id = j.find("request_id");
  return id != j.end() && id->is_string() ? id->get<std::string>() : std::string();
}

}  // namespace

CommandDesk::CommandDesk(Settings settings, ClinicalRecorder& recorder, DurableOutbox& outbox,
                         BrokerLink& link, Hooks hooks)
    : settings_(std::move(settings)),
      recorder_(recorder),
      outbox_(outbox),
      link_(link),
      hooks_(std::move(hooks)),
      refusal_replies_(settings_.rates.refusals_per_s, settings_.rates.refusals_burst),
      lease_replies_(settings_.rates.leases_per_s, settings_.rates.leases_per_s) {}

bool CommandDesk::handle(const InboundMessage& message, Clock::time_point now) {
  auto topic = parse_command_topic(message.topic, settings_.topic_prefix);
  if (!topic) return false;
  records_before_command_ = recorder_.last_record();
  if (topic->user.empty() && settings_.require_identity) {
    // The sender is whoever could publish there: not an identity the room accepts.
    refuse(message,
           {request_id_of(message.payload), "identity_required",
            "this room takes commands only from signed-in users, on " + settings_.topic_prefix +
                "user/<your user name>/cmd/" + std::string{topic->action}},
           now);
    return true;
  }
  if (message.retained) {
    // A retained command is old by nature; acting on it replays the past (docs/safety.md S17).
    // Commands are subscribed with Retain As Published, so a retained one is known as such
    // whether the broker sends it on connect or passes it on live. An empty one is a retained
    // command being cleared (by us, below): nothing to answer.
    if (message.payload.empty() && message.payload_bytes == 0) return true;
    refuse(message,
           {request_id_of(message.payload), "retained_command",
            "commands must not be retained: publish it again without the retain flag"},
           now);
    // Cleared from the broker, so that it is not handed to every new subscriber and to each of
    // our reconnects (the room's ACL lets sensoryd clear commands, docs/security.md).
    link_.publish(message.topic, "", true);
    ++retained_cleared_;
    return true;
  }
  if (auto action = action_from_name(topic->action); action && is_authoring(*action)) {
    // A profile is read and checked on the authoring thread, never here: it may be large.
    if (!hooks_.author || !hooks_.author(message, *action, std::string{topic->user})) {
      busy(message, now);
    }
    return true;
  }
  auto parsed =
      parse_command(topic->action, message.payload, message.received_at, message.payload_bytes);
  if (auto* error = std::get_if<CommandError>(&parsed)) {
    refuse(message, *error, now);
    return true;
  }
  auto& command = std::get<Command>(parsed);
  // The broker let only this user publish on this path: that is who gave the command, whatever
  // the payload says.
  if (!topic->user.empty()) command.therapist = std::string{topic->user};
  Outcome outcome = hooks_.execute(command, now);
  if (!outcome.ok) {
    refuse(message, {command.request_id, outcome.code, outcome.message}, now);
    return true;
  }
  // A lease renews whether or not it is answered; a flood of them is answered at a bounded
  // rate, so that its replies never crowd out another command's.
  if (command.action == Action::lease && !lease_replies_.allow(now)) {
    ++replies_unsent_;
    return true;
  }
  reply(message, ok_reply(command.request_id, outcome.session_id));
  return true;
}

void CommandDesk::busy(const InboundMessage& message, Clock::time_point now) {
  records_before_command_ = recorder_.last_record();
  if (!busy_replies_.allow(now)) {
    ++refusals_unrecorded_;
    ++replies_unsent_;
    return;
  }
  refuse(message,
         {request_id_of(message.payload), "busy",
          "sensoryd is receiving more commands than it can handle: try again"},
         now);
}

void CommandDesk::answer(const InboundMessage& message, const std::string& reply_payload,
                         const CommandError* refusal, std::uint64_t records_before,
                         Clock::time_point now) {
  records_before_command_ = records_before;
  if (refusal != nullptr) {
    refuse(message, *refusal, now, reply_payload);
  } else {
    reply(message, reply_payload);
  }
}

bool CommandDesk::report(const Intake::Counts& counts) {
  bool flood_passed = flooded_last_second_ && !counts.any();
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
  if (counts.retained_left > 0) {
    spdlog::warn(
        "mqtt: {} retained command(s) were left on the broker, more than can wait to be "
        "cleared at once; it hands them over again when sensoryd reconnects",
        counts.retained_left);
  }
  if (unrecorded > 0) {
    // The clinical log holds a bounded number of refusals per second, and this count of the rest.
    recorder_.record(EventType::command_refusals_unrecorded,
                     {{"count", static_cast<std::int64_t>(unrecorded)},
                      {"unanswered", static_cast<std::int64_t>(unanswered)}},
                     std::chrono::system_clock::now());
    hooks_.flush();
  }
  return flood_passed;
}

bool CommandDesk::take_retained_cleared() {
  bool any = retained_cleared_ > 0;
  retained_cleared_ = 0;
  return any;
}

void CommandDesk::reply(const InboundMessage& message, const std::string& payload) {
  // Sent once the records this command wrote are on disk and the state it changed is
  // published, so that a client that has the reply finds the retained topics already current.
  std::uint64_t last = recorder_.last_record();
  std::uint64_t after = last > records_before_command_ ? last : 0;
  auto topic = parse_command_topic(message.topic, settings_.topic_prefix);
  bool urgent = topic && topic->action == "estop";
  bool to_response_topic = !message.response_topic.empty();
  outbox_.reply(after,
                to_response_topic ? message.response_topic : settings_.topic_prefix + "reply",
                payload, to_response_topic ? message.correlation_data : std::string(), urgent);
  hooks_.flush();
}

void CommandDesk::refuse(const InboundMessage& message, const CommandError& error,
                         Clock::time_point now, const std::string& reply_payload) {
  // A flood of bad commands is answered, but logged and recorded at a bounded rate (the rest
  // counted, and the count recorded once a second).
  if (refusal_records_.allow(now)) {
    spdlog::info("command {} refused: {} ({})", message.topic, error.code, error.message);
    auto topic = parse_command_topic(message.topic, settings_.topic_prefix);
    recorder_.record(EventType::command_refused,
                     {{"action", std::string{topic ? topic->action : message.topic}},
                      {"code", error.code},
                      {"request_id", error.request_id},
                      {"message", error.message}},
                     std::chrono::system_clock::now());
    hooks_.flush();
  } else {
    ++refusals_unrecorded_;
  }
  // Answered at a bounded rate too: a flood's refusals must not crowd out the replies to a
  // tablet's commands on their way to the broker.
  if (!refusal_replies_.allow(now)) {
    ++replies_unsent_;
    return;
  }
  reply(message, reply_payload.empty() ? error_reply(error) : reply_payload);
}

}  // namespace sensoryd
