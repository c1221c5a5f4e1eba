#include "devices/mqtt_player.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace sensoryd::devices {

using nlohmann::json;

MqttPlayer::MqttPlayer(std::string id, config::MqttSound config, std::string availability_topic,
                       MqttPort& port)
    : id_(std::move(id)),
      config_(std::move(config)),
      output_("sound " + id_, config_.topic, std::move(availability_topic), port, [this] {
        if (on_change_) on_change_();
      }) {}

bool MqttPlayer::message(const std::string& topic, const std::string& payload, Clock::time_point) {
  if (output_.availability(topic, payload)) return true;
  if (!output_.is_state(topic)) return false;
  if (auto state = parse_state(payload)) {
    reported_ = state;
    output_.reported(!output_.sent() || agrees(*output_.sent(), *state));
  }
  return true;
}

void MqttPlayer::apply(const SoundCommand& command, Clock::time_point now) {
  output_.send(command, now, [](const SoundCommand& c) { return set_payload(c); });
}

bool MqttPlayer::agrees(const SoundCommand& sent, const SoundCommand& reported) {
  // Silent is silent, whatever volume it keeps; playing, at the volume sent (to the percent).
  if (!sent.playing) return !reported.playing;
  return reported.playing &&
         std::abs(reported.volume_pct - std::round(std::clamp(sent.volume_pct, 0.0, 100.0))) <= 1.0;
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
