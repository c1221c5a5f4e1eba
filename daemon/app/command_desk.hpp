// Tablet commands (docs/mqtt-api.md): each parsed, carried out, and answered exactly once, on
// the request's response topic or on `reply`, once what it recorded is on disk and the state it
// changed is published. In a flood, refusals are recorded and answered at bounded rates, as are
// `busy` answers and lease replies; once a second the clinical log gets a count of the rest.
// Logic thread only; time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "daemon/app/clinical_recorder.hpp"
#include "daemon/app/durable_outbox.hpp"
#include "daemon/app/intake.hpp"
#include "daemon/session/session_control.hpp"
#include "devices/transport/broker_link.hpp"
#include "devices/transport/rate_limit.hpp"

namespace sensoryd {

struct Command;
struct CommandError;

class CommandDesk {
 public:
  using Clock = std::chrono::steady_clock;

  // Answers in a flood, per second (docs/mqtt-api.md, "Floods"); more at once up to the burst.
  struct ReplyRates {
    double refusals_per_s = 200.0;
    double refusals_burst = 300.0;
    double leases_per_s = 20.0;
  };
  struct Settings {
    std::string topic_prefix;  // e.g. "sensoryd/room-1/"
    bool require_identity = false;
    ReplyRates rates;
  };
  struct Hooks {
    // Carries a command out (SessionControl) and publishes what it changed.
    std::function<Outcome(const Command&, Clock::time_point)> execute;
    // Sends what waits in the outbox and may go now.
    std::function<void()> flush;
    // Hands a profile command (is_authoring) with its sender, the broker user or empty, to the
    // authoring thread, whose result comes back through answer(); false when it has no room.
    std::function<bool(const InboundMessage&, Action, const std::string& user)> author;
  };

  // `recorder`, `outbox` and `link` outlive the desk.
  CommandDesk(Settings settings, ClinicalRecorder& recorder, DurableOutbox& outbox,
              BrokerLink& link, Hooks hooks);

  // A message on one of the room's command topics is handled (true); any other is the caller's.
  bool handle(const InboundMessage& message, Clock::time_point now);
  // A command the intake had no room for: answered `busy`, at a bounded rate.
  void busy(const InboundMessage& message, Clock::time_point now);
  // The authoring thread's result for a profile command that handle() handed over: `reply` is
  // the whole answer, sent once the records from `records_before` on are on disk; a refusal is
  // recorded (at the bounded rate) as `refusal`.
  void answer(const InboundMessage& message, const std::string& reply, const CommandError* refusal,
              std::uint64_t records_before, Clock::time_point now);
  // Once a second, with what the intake coalesced or dropped since the last report: a warning
  // and a record of the commands left unanswered or unrecorded. True when the intake was
  // flooded in the second before but not in this one (its memory may be given back).
  bool report(const Intake::Counts& counts);
  // Whether retained commands were cleared since the last call: then the room's command
  // filters are to be subscribed again, so that the broker hands over the ones it held back
  // (it gives a subscriber only as many as its queue holds, mosquitto's max_queued_messages),
  // until a subscription brings none.
  bool take_retained_cleared();

 private:
  void reply(const InboundMessage& message, const std::string& payload);
  // `reply`: the answer to send; empty: error_reply(error).
  void refuse(const InboundMessage& message, const CommandError& error, Clock::time_point now,
              const std::string& reply = {});

  Settings settings_;
  ClinicalRecorder& recorder_;
  DurableOutbox& outbox_;
  BrokerLink& link_;
  Hooks hooks_;
  RateLimit busy_replies_{20.0, 20.0};        // `busy` answers per second
  RateLimit refusal_replies_;                 // answers to refused commands
  RateLimit lease_replies_;                   // answers to leases
  RateLimit refusal_records_{10.0, 20.0};     // command_refused records per second
  std::uint64_t refusals_unrecorded_ = 0;     // refused beyond that rate, or dropped unanswered
  std::uint64_t replies_unsent_ = 0;          // commands left unanswered beyond those rates
  std::uint64_t records_before_command_ = 0;  // the recorder's last record when it began
  bool flooded_last_second_ = false;
  std::uint64_t retained_cleared_ = 0;  // since the last take_retained_cleared()
};

}  // namespace sensoryd
