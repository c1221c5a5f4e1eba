#include "daemon/app/durable_outbox.hpp"

#include <algorithm>
#include <utility>

namespace sensoryd {

void DurableOutbox::event(std::uint64_t record, std::string topic, std::string payload) {
  waiting_.push_back(Outgoing{record, false, std::move(topic), std::move(payload), {}, false});
}

void DurableOutbox::reply(std::uint64_t after_record, std::string topic, std::string payload,
                          std::string correlation_data, bool urgent) {
  waiting_.push_back(Outgoing{after_record, true, std::move(topic), std::move(payload),
                              std::move(correlation_data), urgent});
}

void DurableOutbox::written(std::uint64_t done) {
  written_ = std::max(written_, done);
}

void DurableOutbox::flush(bool state_pending) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->after_record > written_ || (it->reply && state_pending)) {
      ++it;
      continue;
    }
    if (it->reply) {
      link_.publish_reply(it->topic, it->payload, it->correlation_data, it->urgent);
    } else {
      link_.publish(it->topic, it->payload, false);
    }
    it = waiting_.erase(it);
  }
}

}  // namespace sensoryd
