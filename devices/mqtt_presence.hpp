// Whether an MQTT device can be reached: the broker connection, and the device's own
// availability topic ("online"/"offline", or zigbee2mqtt's {"state":"online"}) when it has one.
#pragma once

#include <functional>
#include <string>

#include "devices/health.hpp"

namespace sensoryd::devices {

class MqttPresence {
 public:
  // `name` prefixes log lines; `changed` is called on every health transition.
  MqttPresence(std::string name, std::string availability_topic, std::function<void()> changed);

  void broker_connected(bool connected);
  // True when `topic` is the availability topic (the message is then consumed).
  bool message(const std::string& topic, const std::string& payload);

  const std::string& availability_topic() const { return availability_topic_; }
  Health health() const { return health_.health(); }
  const std::string& detail() const { return health_.detail(); }

 private:
  void update();

  std::string availability_topic_;
  HealthTracker health_;
  bool broker_ = false;
  std::string said_;  // the last availability message: "online", "offline" or empty
};

}  // namespace sensoryd::devices
