// A light in the zigbee2mqtt JSON style: commands on <topic>/set as {"state","brightness"
// (0-254),"color":{"hex"},"transition"}, its state on <topic>, availability on its own topic.
#pragma once

#include <optional>
#include <vector>

#include "devices/light_fixture.hpp"
#include "devices/mqtt_device.hpp"
#include "devices/mqtt_output.hpp"

namespace sensoryd::devices {

class MqttLight final : public LightFixture, public MqttDevice {
 public:
  MqttLight(std::string id, config::MqttLight config, std::string availability_topic,
            MqttPort& port);

  using Clock = LightFixture::Clock;

  std::vector<std::string> subscriptions() const override { return output_.subscriptions(); }
  // True when the message was this light's (state or availability).
  bool message(const std::string& topic, const std::string& payload, Clock::time_point) override;
  void broker_connected(bool connected) override { output_.broker_connected(connected); }

  const std::string& id() const override { return id_; }
  const char* type() const override { return "mqtt_light"; }
  void apply(const LightCommand& command, Clock::time_point now) override;
  Health health() const override { return output_.health(); }
  const std::string& health_detail() const override { return output_.detail(); }
  std::optional<LightCommand> reported() const override { return reported_; }
  void on_change(std::function<void()> handler) override { on_change_ = std::move(handler); }

  // The payload for <topic>/set that shows `command`.
  static std::string set_payload(const LightCommand& command, bool color);
  // What a state message says the light shows; empty when it is not one.
  static std::optional<LightCommand> parse_state(const std::string& payload);
  // Whether a light that reports `reported` shows what it was `sent`: off is off; on, at the
  // brightness sent to one step of its 0-254 scale and, for a colour light, at the colour sent
  // to within kColorTolerance on each channel (a lamp reports its colour as xy, hue or a colour
  // temperature, which converts back to RGB only approximately; a colour changed at the lamp
  // differs by far more).
  static bool agrees(const LightCommand& sent, const LightCommand& reported, bool color);
  static constexpr int kColorTolerance = 40;

 private:
  std::string id_;
  config::MqttLight config_;
  std::function<void()> on_change_;
  MqttOutput<LightCommand> output_;
  std::optional<LightCommand> reported_;
};

}  // namespace sensoryd::devices
