// What every MQTT output device (a light, a player) does the same way: its topics, its health
// from the broker connection and its availability topic, and sending its commands on
// <topic>/set: only a changed one, at most every kMqttCommandInterval, the newest always, and
// again after a reconnect or when the device comes back.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "devices/mqtt_presence.hpp"
#include "devices/transport/mqtt_port.hpp"

namespace sensoryd::devices {

inline constexpr std::chrono::milliseconds kMqttCommandInterval{100};

template <typename Command>
class MqttOutput {
 public:
  using Clock = std::chrono::steady_clock;

  // `name` prefixes log lines ("light ceiling"); `changed` is called when health changes.
  MqttOutput(std::string name, std::string topic, std::string availability_topic, MqttPort& port,
             std::function<void()> changed)
      : topic_(std::move(topic)),
        port_(port),
        changed_(std::move(changed)),
        presence_(
            std::move(name), std::move(availability_topic),
            [this] {
              sent_.reset();  // whatever it was told before, tell it again
              if (changed_) changed_();
            },
            bridge_state_topic(topic_)) {}

  std::vector<std::string> subscriptions() const {
    std::vector<std::string> topics{topic_};
    for (auto& topic : presence_.topics()) topics.push_back(std::move(topic));
    return topics;
  }
  void broker_connected(bool connected) {
    sent_.reset();
    presence_.broker_connected(connected);
  }
  // True when the message was its availability; `is_state` says whether it was its state.
  bool availability(const std::string& topic, const std::string& payload) {
    return presence_.message(topic, payload);
  }
  bool is_state(const std::string& topic) const { return topic == topic_; }

  // `encode` turns the command into its payload; called only when it is sent.
  void send(const Command& command, Clock::time_point now,
            const std::function<std::string(const Command&)>& encode) {
    if (!port_.connected() || (sent_ && *sent_ == command)) return;
    if (last_sent_at_ && now - *last_sent_at_ < kMqttCommandInterval) return;
    port_.publish(topic_ + "/set", encode(command));
    sent_ = command;
    last_sent_at_ = now;
  }

  Health health() const { return presence_.health(); }
  const std::string& detail() const { return presence_.detail(); }

 private:
  std::string topic_;
  MqttPort& port_;
  std::function<void()> changed_;
  std::optional<Command> sent_;  // declared before presence_, whose handler resets it
  std::optional<Clock::time_point> last_sent_at_;
  MqttPresence presence_;
};

}  // namespace sensoryd::devices
