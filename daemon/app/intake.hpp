// The bounded queue between the broker and the logic thread (docs/safety.md S19). Paho's
// thread pushes every inbound message; the logic thread takes a few at a time, so that no
// volume of messages can delay a safety function by more than one small slice of work, nor grow
// memory. E-stops go first and are never refused; a lease replaces the one still queued; a
// command beyond the queue's room is refused `busy` (a bounded number of those are answered,
// the rest only counted); a device message beyond its room is dropped and counted. Retained
// commands (never acted on, only cleared from the broker) have a lane of their own, so that the
// thousands a broker can hand over at a reconnect are each cleared, never refused `busy`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "devices/transport/broker_link.hpp"

namespace sensoryd {

class Intake {
 public:
  struct Limits {
    std::size_t commands = 256;          // commands waiting, leases included
    std::size_t estops = 64;             // beyond this, a further E-stop adds nothing: one latches
    std::size_t busy_replies = 32;       // refused commands still to be answered `busy`
    std::size_t device_messages = 1024;  // state and buttons of MQTT devices
    // Retained commands waiting to be refused and cleared from the broker (each keeps at most
    // kRetainedPayloadKept bytes of its payload). Beyond: left retained until a reconnect of
    // sensoryd's has the broker deliver them again.
    std::size_t retained_commands = 4096;
  };
  static constexpr std::size_t kRetainedPayloadKept = 256;
  // What became of the messages that were not queued as themselves, since the last take.
  struct Counts {
    std::uint64_t leases_coalesced = 0;  // replaced by a newer lease before they were handled
    std::uint64_t estops_coalesced = 0;  // an E-stop already queued will latch the trip
    std::uint64_t commands_dropped = 0;  // refused busy, beyond the answers that are sent
    std::uint64_t device_messages_dropped = 0;
    std::uint64_t retained_left = 0;  // retained commands beyond their lane, left on the broker
    bool any() const {
      return leases_coalesced + estops_coalesced + commands_dropped + device_messages_dropped +
                 retained_left >
             0;
    }
  };
  struct Batch {
    std::vector<InboundMessage> messages;  // E-stops first, then in arrival order
    std::vector<InboundMessage> busy;      // to be refused with `busy`
    bool more = false;                     // still queued: take again soon
  };

  // `room_prefix`: the room's topic prefix, e.g. "sensoryd/room-1/"; its commands are those
  // parse_command_topic() names (plain or with an authenticated user).
  explicit Intake(std::string room_prefix) : Intake(std::move(room_prefix), Limits{}) {}
  Intake(std::string room_prefix, Limits limits);

  // Thread-safe. True when the caller must schedule a take (nothing was pending before): one
  // drain is scheduled at a time.
  bool push(InboundMessage message);
  // Up to `max` messages. When nothing is left, the next push asks for a new drain.
  Batch take(std::size_t max);
  Counts take_counts();
  std::size_t queued() const;

 private:
  bool is_command(const InboundMessage& message) const;
  bool is_command(const InboundMessage& message, std::string_view action) const;

  std::string room_prefix_;
  Limits limits_;
  mutable std::mutex mutex_;
  std::deque<InboundMessage> estops_;
  std::deque<InboundMessage> queue_;  // commands and device messages, in arrival order
  std::size_t commands_queued_ = 0;
  std::size_t device_messages_queued_ = 0;
  std::deque<InboundMessage> busy_;
  std::deque<InboundMessage> retained_;
  Counts counts_;
  bool drain_scheduled_ = false;
};

}  // namespace sensoryd
