// A networked audio player: commands on <topic>/set as {"state":"play"|"stop","volume":0-100,
// "source"}, its state on <topic>, availability on its own topic.
#pragma once

#include <optional>
#include <vector>

#include "config/device_model.hpp"
#include "devices/mqtt_device.hpp"
#include "devices/mqtt_output.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd::devices {

class MqttPlayer final : public SoundPlayer, public MqttDevice {
 public:
  MqttPlayer(std::string id, config::MqttSound config, std::string availability_topic,
             MqttPort& port);

  using Clock = SoundPlayer::Clock;

  std::vector<std::string> subscriptions() const override { return output_.subscriptions(); }
  // True when the message was this player's (state or availability).
  bool message(const std::string& topic, const std::string& payload, Clock::time_point) override;
  void broker_connected(bool connected) override { output_.broker_connected(connected); }

  const std::string& id() const override { return id_; }
  const char* type() const override { return "mqtt_sound"; }
  void apply(const SoundCommand& command, Clock::time_point now) override;
  Health health() const override { return output_.health(); }
  const std::string& health_detail() const override { return output_.detail(); }
  std::optional<SoundCommand> reported() const override { return reported_; }
  void on_change(std::function<void()> handler) override { on_change_ = std::move(handler); }

  static std::string set_payload(const SoundCommand& command);
  static std::optional<SoundCommand> parse_state(const std::string& payload);
  // Whether a player reporting `reported` is doing what it was `sent`.
  static bool agrees(const SoundCommand& sent, const SoundCommand& reported);

 private:
  std::string id_;
  config::MqttSound config_;
  std::function<void()> on_change_;
  MqttOutput<SoundCommand> output_;
  std::optional<SoundCommand> reported_;
};

}  // namespace sensoryd::devices
