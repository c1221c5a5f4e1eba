#include "daemon/app/inbound_gate.hpp"

#include <chrono>
#include <mutex>
#include <utility>
#include <variant>

#include "daemon/app/command_topic.hpp"
#include "daemon/session/command.hpp"

namespace sensoryd {

InboundGate::InboundGate(std::string room_prefix, bool require_identity, Hooks hooks,
                         Intake::Limits limits)
    : room_prefix_(std::move(room_prefix)),
      require_identity_(require_identity),
      hooks_(std::move(hooks)),
      intake_(room_prefix_, limits) {}

void InboundGate::listen(const std::shared_ptr<InboundGate>& gate, BrokerLink& link, Link which) {
  link.on_message([gate, which](const InboundMessage& message) { gate->arrived(which, message); });
}

// Only the Intake and the pairing are touched here, and for a valid E-stop command the
// supervisor's hold, so that the stop does not wait for the logic thread. The logic thread
// parses the command again with the same arrival time, so both decide alike: an E-stop held
// here is always carried out there, which lets the hold go.
void InboundGate::arrived(Link link, const InboundMessage& arrived) {
  std::shared_lock open(open_mutex_);
  if (closed_) {
    ++after_close_;
    return;
  }
  InboundMessage message = arrived;
  message.received_at = std::chrono::system_clock::now();
  auto command = parse_command_topic(message.topic, room_prefix_);
  bool estop = !message.retained && command && command->action == "estop";
  if (estop && !pairing_.first_arrival(link, message, std::chrono::steady_clock::now())) {
    return;  // the copy of one that came on the other link: already held and queued
  }
  if (link == Link::estops && !estop) return;  // not what that link is for
  if (estop && (!command->user.empty() || !require_identity_) &&
      std::holds_alternative<Command>(
          parse_command("estop", message.payload, message.received_at, message.payload_bytes))) {
    hooks_.hold_for_estop();
  }
  if (intake_.push(std::move(message))) hooks_.drain();
}

void InboundGate::close() {
  std::unique_lock closing(open_mutex_);
  closed_ = true;
}

}  // namespace sensoryd
