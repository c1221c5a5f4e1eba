#include "devices/mqtt_input.hpp"

#include <nlohmann/json.hpp>

namespace sensoryd::devices {

MqttInput::MqttInput(std::string id, config::Input config, std::string availability_topic)
    : id_(std::move(id)),
      config_(std::move(config)),
      presence_(
          "input " + id_, std::move(availability_topic),
          [this] {
            if (on_change_) on_change_();
          },
          bridge_state_topic(config_.mqtt()->topic)) {}

std::vector<std::string> MqttInput::subscriptions() const {
  std::vector<std::string> topics{config_.mqtt()->topic};
  for (auto& topic : presence_.topics()) topics.push_back(std::move(topic));
  return topics;
}

bool MqttInput::message(const std::string& topic, const std::string& payload,
                        Clock::time_point now) {
  if (presence_.message(topic, payload)) return true;
  if (topic != config_.mqtt()->topic) return false;
  std::string value = payload;
  if (!config_.mqtt()->field.empty()) {
    auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object() || !j.contains(config_.mqtt()->field)) return true;  // not about it
    const auto& field = j[config_.mqtt()->field];
    value = field.is_string() ? field.get<std::string>() : field.dump();
  }
  bool active = (value == config_.mqtt()->active_value) != config_.active_low;
  if (active && !active_) {
    bool bounce = last_press_ && now - *last_press_ < config_.debounce;
    if (bounce) return true;
    last_press_ = now;
    ++presses_;
  }
  if (active != active_) {
    active_ = active;
    if (on_change_) on_change_();
  }
  return true;
}

}  // namespace sensoryd::devices
