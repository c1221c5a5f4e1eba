#include "devices/transport/outbound_queue.hpp"

#include <algorithm>

namespace sensoryd {

void OutboundQueue::subscribe(const std::string& filter) {
  bool waiting = std::any_of(subscriptions_.begin(), subscriptions_.end(),
                             [&](const WaitingSubscription& s) { return s.filter == filter; });
  if (!waiting) subscriptions_.push_back({filter, retained_.size()});
}

void OutboundQueue::publish(Message message) {
  if (message.retained) {
    // Only the latest matters, in the place of the one still waiting (which keeps its order
    // against the subscriptions). Never dropped: there are only as many as the topics.
    for (auto& waiting : retained_) {
      if (waiting.topic == message.topic) {
        waiting.payload = std::move(message.payload);
        return;
      }
    }
    retained_.push_back(std::move(message));
  } else if (message.urgent) {
    urgent_.push_back(std::move(message));  // as many as E-stops, which the Intake bounds
  } else if (others_.size() < kMaxOthers) {
    others_.push_back(std::move(message));
  } else {
    ++dropped_;
  }
}

bool OutboundQueue::has_work(int window_free) const {
  return !subscriptions_.empty() || !retained_.empty() || !urgent_.empty() ||
         (!others_.empty() && window_free > 0);
}

std::vector<OutboundQueue::Step> OutboundQueue::take(int window_free) {
  std::vector<Step> steps;
  steps.reserve(subscriptions_.size() + retained_.size() + urgent_.size());
  std::size_t retained_taken = 0;
  auto take_subscriptions_due = [&] {
    while (!subscriptions_.empty() && subscriptions_.front().after_retained <= retained_taken) {
      steps.emplace_back(Subscription{std::move(subscriptions_.front().filter)});
      subscriptions_.pop_front();
    }
  };
  take_subscriptions_due();
  for (auto& message : retained_) {
    steps.emplace_back(std::move(message));
    ++retained_taken;
    take_subscriptions_due();
  }
  retained_.clear();
  // State and E-stops' replies go whatever the window; they take room in it all the same.
  window_free -= static_cast<int>(retained_taken + urgent_.size());
  for (auto& message : urgent_) steps.emplace_back(std::move(message));
  urgent_.clear();
  while (!others_.empty() && window_free > 0) {
    steps.emplace_back(std::move(others_.front()));
    others_.pop_front();
    --window_free;
  }
  return steps;
}

std::uint64_t OutboundQueue::take_dropped() {
  auto dropped = dropped_;
  dropped_ = 0;
  return dropped;
}

}  // namespace sensoryd
