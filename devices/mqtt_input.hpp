// A button or contact reported over MQTT (zigbee2mqtt style): a JSON field of its state topic,
// or the raw payload, compared with the value that means "active". Presses are counted, so a
// press and release that arrive within one control tick are not lost.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/device_model.hpp"
#include "devices/mqtt_device.hpp"
#include "devices/mqtt_presence.hpp"

namespace sensoryd::devices {

class MqttInput final : public MqttDevice {
 public:
  MqttInput(std::string id, config::Input config, std::string availability_topic);

  std::vector<std::string> subscriptions() const override;
  // True when the message was this input's. `now` is the logic's time of arrival.
  bool message(const std::string& topic, const std::string& payload,
               Clock::time_point now) override;
  void broker_connected(bool connected) override { presence_.broker_connected(connected); }
  void on_change(std::function<void()> handler) { on_change_ = std::move(handler); }

  const std::string& id() const { return id_; }
  config::InputRole role() const { return config_.role; }
  bool active() const { return active_; }
  // Rising edges accepted so far (a press within the debounce time of the last is not one).
  unsigned presses() const { return presses_; }
  Health health() const { return presence_.health(); }
  const std::string& health_detail() const { return presence_.detail(); }

 private:
  std::string id_;
  config::Input config_;
  MqttPresence presence_;
  bool active_ = false;
  unsigned presses_ = 0;
  std::optional<Clock::time_point> last_press_;
  std::function<void()> on_change_;
};

}  // namespace sensoryd::devices
