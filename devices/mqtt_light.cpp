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

std::uint8_t to_channel(double linear) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(linear, 0.0, 1.0) * 255.0));
}

// CIE 1931 xy at full brightness to sRGB (the wide-gamut matrix lamps such as Hue report in,
// then the sRGB curve), as zigbee2mqtt's own conversions do.
config::Rgb from_xy(double x, double y) {
  if (y <= 0.0) return {255, 255, 255};
  double big_x = x / y;
  double big_z = (1.0 - x - y) / y;
  double r = big_x * 1.656492 - 0.354851 - big_z * 0.255038;
  double g = -big_x * 0.707196 + 1.655397 + big_z * 0.036152;
  double b = big_x * 0.051713 - 0.121364 + big_z * 1.011530;
  double top = std::max({r, g, b, 1e-9});
  auto gamma = [top](double c) {
    c = std::max(c / top, 0.0);
    return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
  };
  return {to_channel(gamma(r)), to_channel(gamma(g)), to_channel(gamma(b))};
}

// A white light's colour temperature (mireds) as the RGB it looks like (Tanner Helland's fit of
// the blackbody colours, good to a few per cent from 1000 K to 40000 K).
config::Rgb from_color_temp(double mireds) {
  double hundreds = std::clamp(1e6 / std::max(mireds, 1.0), 1000.0, 40000.0) / 100.0;
  double r = hundreds <= 66 ? 255.0 : 329.698727446 * std::pow(hundreds - 60, -0.1332047592);
  double g = hundreds <= 66 ? 99.4708025861 * std::log(hundreds) - 161.1195681661
                            : 288.1221695283 * std::pow(hundreds - 60, -0.0755148492);
  double b = hundreds >= 66   ? 255.0
             : hundreds <= 19 ? 0.0
                              : 138.5177312231 * std::log(hundreds - 10) - 305.0447927307;
  return {to_channel(r / 255.0), to_channel(g / 255.0), to_channel(b / 255.0)};
}

// Hue (degrees) and saturation (per cent) at full value.
config::Rgb from_hs(double hue, double saturation) {
  double h = std::fmod(std::fmod(hue, 360.0) + 360.0, 360.0) / 60.0;
  double s = std::clamp(saturation, 0.0, 100.0) / 100.0;
  double f = h - std::floor(h);
  double p = 1.0 - s;
  double q = 1.0 - s * f;
  double t = 1.0 - s * (1.0 - f);
  switch (static_cast<int>(h)) {
    case 0:
      return {to_channel(1.0), to_channel(t), to_channel(p)};
    case 1:
      return {to_channel(q), to_channel(1.0), to_channel(p)};
    case 2:
      return {to_channel(p), to_channel(1.0), to_channel(t)};
    case 3:
      return {to_channel(p), to_channel(q), to_channel(1.0)};
    case 4:
      return {to_channel(t), to_channel(p), to_channel(1.0)};
    default:
      return {to_channel(1.0), to_channel(p), to_channel(q)};
  }
}

bool is_number(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number();
}

std::optional<config::Rgb> parse_color(const json& color) {
  if (!color.is_object()) return std::nullopt;
  if (is_number(color, "x") && is_number(color, "y")) {
    return from_xy(color["x"].get<double>(), color["y"].get<double>());
  }
  if (is_number(color, "hue") && is_number(color, "saturation")) {
    return from_hs(color["hue"].get<double>(), color["saturation"].get<double>());
  }
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
  if (auto state = parse_state(payload)) {
    reported_ = state;
    output_.reported(!output_.sent() || agrees(*output_.sent(), *state, config_.color));
  }
  return true;
}

bool MqttLight::agrees(const LightCommand& sent, const LightCommand& reported, bool color) {
  // Compared on the light's own 0-254 scale, as sent (set_payload) and as reported.
  double sent_steps = std::round(std::clamp(sent.brightness_pct, 0.0, 100.0) * 2.54);
  double reported_steps = std::round(reported.brightness_pct * 2.54);
  if (sent_steps == 0) return reported_steps == 0;
  if (std::abs(reported_steps - sent_steps) > 1.0) return false;
  if (!color) return true;
  auto near = [](std::uint8_t a, std::uint8_t b) {
    return std::abs(int{a} - int{b}) <= kColorTolerance;
  };
  return near(sent.color.r, reported.color.r) && near(sent.color.g, reported.color.g) &&
         near(sent.color.b, reported.color.b);
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
  // What the light shows: its colour mode says which of the values it reports is in use.
  std::string mode = j.contains("color_mode") && j["color_mode"].is_string()
                         ? j["color_mode"].get<std::string>()
                         : "";
  auto color = j.contains("color") ? parse_color(j["color"]) : std::nullopt;
  bool temperature = is_number(j, "color_temp") && (mode == "color_temp" || !color);
  if (temperature) {
    shown.color = from_color_temp(j["color_temp"].get<double>());
  } else if (color) {
    shown.color = *color;
  } else {
    shown.color = {255, 255, 255};
  }
  return shown;
}

}  // namespace sensoryd::devices
