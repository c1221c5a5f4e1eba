// What every MQTT output device (a light, a player) does the same way: its topics, its health
// from the broker connection and its availability topic, and sending its commands on
// <topic>/set: only a changed one, at most every kMqttCommandInterval, the newest always, and
// again after a reconnect or when the device comes back. A device whose reported state (once it
// has reported one) disagrees with what it was last sent is sent it again, after 1, 2, 4 and
// then every 8 s, for as long as it disagrees; after kMqttTriesBeforeFault tries it is faulted.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "devices/mqtt_presence.hpp"
#include "devices/transport/mqtt_port.hpp"

namespace sensoryd::devices {

inline constexpr std::chrono::milliseconds kMqttCommandInterval{100};
inline constexpr int kMqttTriesBeforeFault = 5;

template <typename Command>
class MqttOutput {
 public:
  using Clock = std::chrono::steady_clock;

  // `name` prefixes log lines ("light ceiling"); `changed` is called when health changes.
  MqttOutput(std::string name, std::string topic, std::string availability_topic, MqttPort& port,
             std::function<void()> changed)
      : name_(name),
        topic_(std::move(topic)),
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
    if (!port_.connected()) return;
    bool resend = sent_ && *sent_ == command;
    if (resend && (agrees_ || now < retry_at_)) return;
    if (last_sent_at_ && now - *last_sent_at_ < kMqttCommandInterval) return;
    port_.publish(topic_ + "/set", encode(command));
    last_sent_at_ = now;
    if (!resend) {
      sent_ = command;
      tries_ = 0;
      // Until it says otherwise, a device that reports its state is taken to disagree.
      agrees_ = !reports_state_;
    }
    ++tries_;
    retry_at_ = now + retry_after(tries_);
    if (!agrees_ && tries_ > kMqttTriesBeforeFault && !diverged_) {
      diverged_ = true;
      diverged_detail_ = "it did not take what it was sent after " +
                         std::to_string(kMqttTriesBeforeFault) + " tries; sent again every " +
                         std::to_string(retry_after(tries_).count() / 1000) + " s";
      spdlog::error("{}: {}", name_, diverged_detail_);
      if (changed_) changed_();
    }
  }
  // The device reported its state: whether it agrees with what it was last sent.
  void reported(bool agrees) {
    reports_state_ = true;
    agrees_ = agrees;
    if (agrees) {  // a later disagreement is told at once, then backs off anew
      tries_ = 0;
      retry_at_ = {};
    }
    if (agrees && diverged_) {
      diverged_ = false;
      spdlog::warn("{}: does what it was sent again", name_);
      if (changed_) changed_();
    }
  }
  const std::optional<Command>& sent() const { return sent_; }

  Health health() const { return diverged_ ? Health::fault : presence_.health(); }
  const std::string& detail() const { return diverged_ ? diverged_detail_ : presence_.detail(); }

 private:
  std::string name_;
  std::string topic_;
  MqttPort& port_;
  std::function<void()> changed_;
  std::optional<Command> sent_;  // declared before presence_, whose handler resets it
  std::optional<Clock::time_point> last_sent_at_;
  // Its reports against what it was sent (see the header).
  static std::chrono::milliseconds retry_after(int tries) {
    return std::chrono::milliseconds{1000 << std::min(tries - 1, 3)};
  }
  bool reports_state_ = false;
  bool agrees_ = true;
  int tries_ = 0;
  Clock::time_point retry_at_{};
  bool diverged_ = false;
  std::string diverged_detail_;
  MqttPresence presence_;
};

}  // namespace sensoryd::devices
