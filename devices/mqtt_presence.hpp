// Whether an MQTT device can be reached: the broker connection, the device's own availability
// topic ("online"/"offline", or zigbee2mqtt's {"state":"online"}) when it has one, and the
// bridge it is behind (zigbee2mqtt's <base>/bridge/state): with the bridge offline, nothing the
// device says is current.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "devices/health.hpp"

namespace sensoryd::devices {

class MqttPresence {
 public:
  // `name` prefixes log lines; `changed` is called on every health transition.
  MqttPresence(std::string name, std::string availability_topic, std::function<void()> changed,
               std::string bridge_topic = {});

  void broker_connected(bool connected);
  // True when `topic` is the availability or the bridge's state topic (the message is then
  // consumed).
  bool message(const std::string& topic, const std::string& payload);

  // The topics to subscribe to for it.
  std::vector<std::string> topics() const;
  const std::string& availability_topic() const { return availability_topic_; }
  Health health() const { return health_.health(); }
  const std::string& detail() const { return health_.detail(); }

 private:
  void update();

  std::string availability_topic_;
  HealthTracker health_;
  bool broker_ = false;
  std::string said_;  // the last availability message: "online", "offline" or empty
  std::string bridge_topic_;
  std::string bridge_said_;  // the bridge's last state; only "offline" makes the device lost
};

// zigbee2mqtt's bridge state topic for a device at `topic` (<base>/<name>): <base>/bridge/state.
std::string bridge_state_topic(const std::string& topic);

}  // namespace sensoryd::devices
