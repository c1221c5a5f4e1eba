#include "daemon/app/estop_pairing.hpp"

#include <algorithm>

namespace sensoryd {

namespace {

std::string key_of(const InboundMessage& message) {
  // Separated by a byte a topic cannot hold (MQTT forbids U+0000 in topic names).
  std::string key;
  key.reserve(message.topic.size() + message.payload.size() + message.response_topic.size() +
              message.correlation_data.size() + 3);
  key.append(message.topic).push_back('\0');
  key.append(message.response_topic).push_back('\0');
  key.append(message.correlation_data).push_back('\0');
  key.append(message.payload);
  return key;
}

}  // namespace

bool EstopPairing::first_arrival(Link link, const InboundMessage& message, Clock::time_point now) {
  std::string key = key_of(message);
  std::lock_guard lock(mutex_);
  while (!waiting_.empty() && now - waiting_.front().arrived > window_) waiting_.pop_front();
  auto copy = std::find_if(waiting_.begin(), waiting_.end(),
                           [&](const Waiting& w) { return w.link != link && w.key == key; });
  if (copy != waiting_.end()) {
    waiting_.erase(copy);
    return false;
  }
  if (waiting_.size() == capacity_) waiting_.pop_front();
  waiting_.push_back({link, std::move(key), now});
  return true;
}

}  // namespace sensoryd
