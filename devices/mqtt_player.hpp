// A networked audio player: commands on <topic>/set as {"state":"play"|"stop","volume":0-100,
// "source"}, its state on <topic>, availability on its own topic.
#pragma once

#include <optional>
#include <vector>

#include "config/device_model.hpp"
#include "devices/mqtt_port.hpp"
#include "devices/mqtt_presence.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd::devices {

class MqttPlayer final : public SoundPlayer {
 public:
  MqttPlayer(std::string id, config::MqttSound config, std::string availability_topic,
             MqttPort& port);

  std::vector<std::string> subscriptions() const;
  bool message(const std::string& topic, const std::string& payload);
  void broker_connected(bool connected);

  const std::string& id() const override { return id_; }
  const char* type() const override { return "mqtt_sound"; }
  void apply(const SoundCommand& command, Clock::time_point now) override;
  Health health() const override { return presence_.health(); }
  const std::string& health_detail() const override { return presence_.detail(); }
  std::optional<SoundCommand> reported() const override { return reported_; }
  void on_change(std::function<void()> handler) override { on_change_ = std::move(handler); }

  static std::string set_payload(const SoundCommand& command);
  static std::optional<SoundCommand> parse_state(const std::string& payload);

 private:
  std::string id_;
  config::MqttSound config_;
  MqttPort& port_;
  MqttPresence presence_;
  std::optional<SoundCommand> sent_;
  std::optional<Clock::time_point> last_sent_at_;
  std::optional<SoundCommand> reported_;
  std::function<void()> on_change_;
};

}  // namespace sensoryd::devices
