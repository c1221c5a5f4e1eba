// What an MQTT device driver needs from the room's broker connection: publishing, and whether
// it is connected. The daemon's MqttLink provides it; unit tests use a recording fake.
#pragma once

#include <string>

namespace sensoryd::devices {

class MqttPort {
 public:
  virtual ~MqttPort() = default;
  virtual bool connected() const = 0;
  virtual void publish(const std::string& topic, const std::string& payload) = 0;
};

}  // namespace sensoryd::devices
