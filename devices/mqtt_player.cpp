#include "devices/mqtt_player.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "devices/mqtt_light.hpp"

namespace sensoryd::devices {

using nlohmann::json;

MqttPlayer::MqttPlayer(std::string id, config::MqttSound config, std::string availability_topic,
                       MqttPort& port)
    : id_(std::move(id)),
      config_(std::move(config)),
      port_(port),
      presence_("sound " + id_, std::move(availability_topic), [this] {
        sent_.reset();
        if (on_change_) on_change_();
      }) {}

std::vector<std::string> MqttPlayer::subscriptions() const {
  std::vector<std::string> topics{config_.topic};
  if (!presence_.availability_topic().empty()) topics.push_back(presence_.availability_topic());
  return topics;
}

void MqttPlayer::broker_connected(bool connected) {
  sent_.reset();
  presence_.broker_connected(connected);
}

bool MqttPlayer::message(const std::string& topic, const std::string& payload) {
  if (presence_.message(topic, payload)) return true;
  if (topic != config_.topic) return false;
  if (auto state = parse_state(payload)) reported_ = state;
  return true;
}

void MqttPlayer::apply(const SoundCommand& command, Clock::time_point now) {
  if (!port_.connected() || (sent_ && *sent_ == command)) return;
  if (last_sent_at_ && now - *last_sent_at_ < kMqttCommandInterval) return;
  port_.publish(config_.topic + "/set", set_payload(command));
  sent_ = command;
  last_sent_at_ = now;
}

std::string MqttPlayer::set_payload(const SoundCommand& command) {
  double volume = command.playing ? std::round(std::clamp(command.volume_pct, 0.0, 100.0)) : 0.0;
  return json{{"state", command.playing ? "play" : "stop"},
              {"volume", static_cast<int>(volume)},
              {"source", command.source}}
      .dump();
}

std::optional<SoundCommand> MqttPlayer::parse_state(const std::string& payload) {
  auto j = json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string()) return std::nullopt;
  SoundCommand state;
  state.playing = j["state"] == "play";
  if (j.contains("volume") && j["volume"].is_number()) state.volume_pct = j["volume"];
  if (j.contains("source") && j["source"].is_string()) state.source = j["source"];
  return state;
}

}  // namespace sensoryd::devices
