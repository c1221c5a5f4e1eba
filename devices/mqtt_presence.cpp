#include "devices/mqtt_presence.hpp"

#include <nlohmann/json.hpp>

namespace sensoryd::devices {

MqttPresence::MqttPresence(std::string name, std::string availability_topic,
                           std::function<void()> changed)
    : availability_topic_(std::move(availability_topic)),
      health_(std::move(name), 1, std::move(changed)) {
  health_.set(Health::lost, "not connected to the broker yet");
}

void MqttPresence::broker_connected(bool connected) {
  broker_ = connected;
  update();
}

bool MqttPresence::message(const std::string& topic, const std::string& payload) {
  if (availability_topic_.empty() || topic != availability_topic_) return false;
  said_ = payload;
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains("state") && j["state"].is_string()) {
    said_ = j["state"].get<std::string>();
  }
  update();
  return true;
}

void MqttPresence::update() {
  if (!broker_) {
    health_.set(Health::lost, "no connection to the broker");
  } else if (availability_topic_.empty() || said_ == "online") {
    health_.set(Health::online, {});
  } else if (said_.empty()) {
    health_.set(Health::lost, "nothing on " + availability_topic_ + " yet");
  } else {
    health_.set(Health::lost, "the device says '" + said_ + "' on " + availability_topic_);
  }
}

}  // namespace sensoryd::devices
