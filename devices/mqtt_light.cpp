#include "devices/mqtt_light.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace sensoryd::devices {

namespace {

using nlohmann::json;

std::string hex(const config::Rgb& c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

std::optional<config::Rgb> parse_color(const json& color) {
  if (!color.is_object()) return std::nullopt;
  if (color.contains("hex") && color["hex"].is_string()) {
    std::string h = color["hex"];
    unsigned r = 0, g = 0, b = 0;
    if (h.size() == 7 && std::sscanf(h.c_str(), "#%02x%02x%02x", &r, &g, &b) == 3) {
      return config::Rgb{static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g),
                         static_cast<std::uint8_t>(b)};
    }
  }
  auto channel = [&](const char* name) {
    return static_cast<std::uint8_t>(std::clamp(color.value(name, 0), 0, 255));
  };
  if (color.contains("r") && color.contains("g") && color.contains("b")) {
    return config::Rgb{channel("r"), channel("g"), channel("b")};
  }
  return std::nullopt;
}

}  // namespace

MqttLight::MqttLight(std::string id, config::MqttLight config, std::string availability_topic,
                     MqttPort& port)
    : id_(std::move(id)),
      config_(std::move(config)),
      output_("light " + id_, config_.topic, std::move(availability_topic), port, [this] {
        if (on_change_) on_change_();
      }) {}

bool MqttLight::message(const std::string& topic, const std::string& payload, Clock::time_point) {
  if (output_.availability(topic, payload)) return true;
  if (!output_.is_state(topic)) return false;
  if (auto state = parse_state(payload)) reported_ = state;
  return true;
}

void MqttLight::apply(const LightCommand& command, Clock::time_point now) {
  output_.send(command, now,
               [this](const LightCommand& c) { return set_payload(c, config_.color); });
}

std::string MqttLight::set_payload(const LightCommand& command, bool color) {
  double brightness = std::round(std::clamp(command.brightness_pct, 0.0, 100.0) * 2.54);
  json j{{"state", brightness > 0 ? "ON" : "OFF"},
         {"brightness", static_cast<int>(brightness)},
         {"transition", 0}};
  if (color) j["color"] = json{{"hex", hex(command.color)}};
  return j.dump();
}

std::optional<LightCommand> MqttLight::parse_state(const std::string& payload) {
  auto j = json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string()) return std::nullopt;
  LightCommand shown;
  int brightness = j.contains("brightness") && j["brightness"].is_number_integer()
                       ? j["brightness"].get<int>()
                       : 254;
  shown.brightness_pct = j["state"] == "ON" ? std::clamp(brightness, 0, 254) / 2.54 : 0.0;
  if (auto color = j.contains("color") ? parse_color(j["color"]) : std::nullopt) {
    shown.color = *color;
  } else {
    shown.color = {255, 255, 255};
  }
  return shown;
}

}  // namespace sensoryd::devices
