// What every device driver that speaks MQTT offers the app: the topics it listens to, the
// messages on them, and whether the broker is there. MqttLight, MqttPlayer and MqttInput are
// ones; a new MQTT device kind implements this and the app routes its messages unchanged.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sensoryd::devices {

class MqttDevice {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~MqttDevice() = default;

  // Subscribed to after every (re)connect.
  virtual std::vector<std::string> subscriptions() const = 0;
  // A message from the broker; true when it was this device's. `now` is when it arrived.
  virtual bool message(const std::string& topic, const std::string& payload,
                       Clock::time_point now) = 0;
  virtual void broker_connected(bool connected) = 0;
};

}  // namespace sensoryd::devices
