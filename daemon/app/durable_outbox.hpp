// Events and replies that speak of clinical-log records wait here until those records are on
// disk: a tablet is never told of something the clinical record could still lose. Events keep
// their order (their records are written in order); a reply waits only for the records of its
// own command, and for the retained state it changed to be published first, so that a client
// holding the reply finds the retained topics current. During a disk stall it holds no more
// than the log's backlog of records and their commands' replies. Logic thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "devices/transport/broker_link.hpp"

namespace sensoryd {

class DurableOutbox {
 public:
  explicit DurableOutbox(BrokerLink& link) : link_(link) {}

  // An event whose record has sequence number `record`; 0 when no record waits for the disk
  // (the event is not logged, or its record was lost): it goes at the next flush.
  void event(std::uint64_t record, std::string topic, std::string payload);
  // A command's reply: sent once every record up to `after_record` is written (0: none) and no
  // state change waits to be published. An `urgent` one (an E-stop's) goes ahead on the link.
  void reply(std::uint64_t after_record, std::string topic, std::string payload,
             std::string correlation_data, bool urgent);

  // Every record up to `done` is written, or the log gave up on it.
  void written(std::uint64_t done);
  std::uint64_t written() const { return written_; }

  // Sends what may go now. Replies wait while `state_pending` (retained state not yet out).
  void flush(bool state_pending);
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Outgoing {
    std::uint64_t after_record;
    bool reply;
    std::string topic;
    std::string payload;
    std::string correlation_data;
    bool urgent;
  };
  BrokerLink& link_;
  std::deque<Outgoing> waiting_;
  std::uint64_t written_ = 0;
};

}  // namespace sensoryd
