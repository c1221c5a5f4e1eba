#include "devices/mqtt_presence.hpp"

#include <nlohmann/json.hpp>

namespace sensoryd::devices {

namespace {

// "online" from `payload`: a plain word, or zigbee2mqtt's {"state":"online"}.
std::string state_word(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains("state") && j["state"].is_string()) {
    return j["state"].get<std::string>();
  }
  return payload;
}

}  // namespace

std::string bridge_state_topic(const std::string& topic) {
  auto slash = topic.find('/');
  if (slash == std::string::npos || slash == 0) return {};
  return topic.substr(0, slash) + "/bridge/state";
}

MqttPresence::MqttPresence(std::string name, std::string availability_topic,
                           std::function<void()> changed, std::string bridge_topic)
    : availability_topic_(std::move(availability_topic)),
      health_(std::move(name), 1, std::move(changed)),
      bridge_topic_(std::move(bridge_topic)) {
  health_.set(Health::lost, "not connected to the broker yet");
}

void MqttPresence::broker_connected(bool connected) {
  broker_ = connected;
  update();
}

bool MqttPresence::message(const std::string& topic, const std::string& payload) {
  if (!bridge_topic_.empty() && topic == bridge_topic_) {
    bridge_said_ = state_word(payload);
    update();
    return true;
  }
  if (availability_topic_.empty() || topic != availability_topic_) return false;
  said_ = state_word(payload);
  update();
  return true;
}

std::vector<std::string> MqttPresence::topics() const {
  std::vector<std::string> out;
  if (!availability_topic_.empty()) out.push_back(availability_topic_);
  if (!bridge_topic_.empty()) out.push_back(bridge_topic_);
  return out;
}

void MqttPresence::update() {
  if (!broker_) {
    health_.set(Health::lost, "no connection to the broker");
  } else if (bridge_said_ == "offline") {
    health_.set(Health::lost, "its bridge is offline (" + bridge_topic_ + ")");
  } else if (availability_topic_.empty() || said_ == "online") {
    health_.set(Health::online, {});
  } else if (said_.empty()) {
    health_.set(Health::lost, "nothing on " + availability_topic_ + " yet");
  } else {
    health_.set(Health::lost, "the device says '" + said_ + "' on " + availability_topic_);
  }
}

}  // namespace sensoryd::devices
