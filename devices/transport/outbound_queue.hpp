// What MqttLink has yet to hand to Paho, and in which order: subscriptions, retained state
// (latest per topic), E-stops' replies, then other messages as Paho's window allows. No Paho
// here, so that the order and the bounds are unit-tested in-process. Not thread-safe: MqttLink
// holds its lock around every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <variant>
#include <vector>

namespace sensoryd {

class OutboundQueue {
 public:
  static constexpr std::size_t kMaxOthers = 4096;  // replies and events waiting for the window

  struct Message {
    std::string topic;
    std::string payload;
    bool retained = false;
    std::string correlation_data;
    bool urgent = false;
  };
  struct Subscription {
    std::string filter;
  };
  using Step = std::variant<Subscription, Message>;

  // A filter already waiting is not queued twice. It goes out after the retained messages
  // published before this call and before those published after it: a retained command that
  // sensoryd clears and then subscribes to again must be gone from the broker when the
  // subscription reaches it, or the broker hands it over once more.
  void subscribe(const std::string& filter);
  // A retained message takes the place of one for the same topic still waiting; an urgent one is
  // never dropped; others are dropped (and counted) beyond kMaxOthers.
  void publish(Message message);

  // Whether a batch would hold anything, with room in Paho's window for `window_free` others.
  bool has_work(int window_free) const;
  // Everything to send now, in order: waiting subscriptions and retained state, interleaved as
  // they were asked for; then urgent messages; then as many others as `window_free`.
  std::vector<Step> take(int window_free);
  // Messages dropped since the last call.
  std::uint64_t take_dropped();

 private:
  struct WaitingSubscription {
    std::string filter;
    std::size_t after_retained;  // retained messages waiting when it was asked for
  };
  std::deque<WaitingSubscription> subscriptions_;
  std::deque<Message> retained_;
  std::deque<Message> urgent_;
  std::deque<Message> others_;
  std::uint64_t dropped_ = 0;
};

}  // namespace sensoryd
