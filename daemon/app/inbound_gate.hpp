// Where every message from the room's broker enters sensoryd, on the links' receive threads
// (Paho's): stamped with its arrival time, an E-stop that came on both links told from its copy,
// the drive held at once for a valid E-stop command, and the message queued in the bounded
// Intake for the logic thread (docs/safety.md S19). Thread-safe: the only part of the App that
// runs off the logic thread.
//
// Lifetime: the links' message handlers hold the gate (listen()), so a message that arrives
// while a link shuts down never meets a destroyed gate, whatever order the App's members die
// in. close() ends the gate's use of the App (the hold, the drain): once it returns no arrival is
// under way, and later ones are dropped and counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>

#include "daemon/app/estop_pairing.hpp"
#include "daemon/app/intake.hpp"
#include "devices/transport/broker_link.hpp"

namespace sensoryd {

class InboundGate {
 public:
  using Link = EstopPairing::Link;
  struct Hooks {
    std::function<void()> hold_for_estop;  // thread-safe: holds the drive's stop (S3)
    std::function<void()> drain;           // thread-safe: schedules Intake::take on the logic
  };

  // `room_prefix` is "sensoryd/<room>/". With `require_identity`, only an E-stop on a user's
  // path holds the drive here (one on the open path is refused on the logic thread).
  InboundGate(std::string room_prefix, bool require_identity, Hooks hooks,
              Intake::Limits limits = {});

  // Makes `gate` the receiver of `link`'s messages; the handler keeps the gate alive.
  static void listen(const std::shared_ptr<InboundGate>& gate, BrokerLink& link, Link which);

  // On a receive thread. The E-stop link passes on E-stops only.
  void arrived(Link link, const InboundMessage& message);

  // After it returns, no arrival is under way and none will touch the hooks again.
  void close();

  // The logic thread's side of the queue.
  Intake& intake() { return intake_; }
  // Messages that arrived after close(): none reached the App.
  std::uint64_t arrivals_after_close() const { return after_close_.load(); }

 private:
  std::string room_prefix_;
  bool require_identity_;
  Hooks hooks_;
  Intake intake_;
  EstopPairing pairing_;
  std::shared_mutex open_mutex_;  // shared by arrivals, taken whole by close()
  bool closed_ = false;
  std::atomic<std::uint64_t> after_close_{0};
};

}  // namespace sensoryd
