// E-stop commands reach sensoryd on two broker connections: the main one (subscribed to every
// command) and one subscribed to E-stop topics only, whose delivery never waits behind another
// client's flood in the broker's queue to sensoryd (docs/safety.md S19). Each E-stop therefore
// usually arrives twice; this tells the first arrival of each from its copy on the other
// connection, so that an E-stop is held, recorded and answered once, and still acted on when
// only one connection delivers it.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include "devices/transport/broker_link.hpp"

namespace sensoryd {

class EstopPairing {
 public:
  enum class Link { main, estops };
  using Clock = std::chrono::steady_clock;

  // An arrival waits `window` for its copy; at most `capacity` wait (the oldest goes first),
  // so a connection that is down or slow costs bounded memory.
  explicit EstopPairing(Clock::duration window = std::chrono::seconds(10),
                        std::size_t capacity = 64)
      : window_(window), capacity_(capacity) {}

  // Thread-safe (each connection's receive thread calls it). True for the first arrival of an
  // E-stop; false when it is the copy of one that arrived on the other connection. Copies are
  // recognised by topic, payload and MQTT 5 properties, counted: two identical presses are two
  // arrivals on each connection, and each is paired with one copy.
  bool first_arrival(Link link, const InboundMessage& message, Clock::time_point now);

 private:
  struct Waiting {
    Link link;
    std::string key;
    Clock::time_point arrived;
  };
  Clock::duration window_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::deque<Waiting> waiting_;  // first arrivals whose copy has not come, oldest first
};

}  // namespace sensoryd
