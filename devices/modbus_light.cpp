#include "devices/modbus_light.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd::devices {

ModbusLight::ModbusLight(std::string id, config::ModbusLight config, RegisterBus& bus,
                         int lost_after_polls)
    : id_(std::move(id)),
      config_(std::move(config)),
      registers_("light " + id_, config_.modbus, config_.channels, bus, lost_after_polls) {}

// Channels are per cent of full scale: the map's scale says what full scale is in counts.
void ModbusLight::apply(const LightCommand& command, Clock::time_point) {
  auto level = [](std::uint8_t channel) { return channel * 100.0 / 255.0; };
  registers_.set_number("red", level(command.color.r));
  registers_.set_number("green", level(command.color.g));
  registers_.set_number("blue", level(command.color.b));
  registers_.set_number("dimmer", std::clamp(command.brightness_pct, 0.0, 100.0));
}

std::optional<LightCommand> ModbusLight::reported() const {
  auto r = registers_.number("red");
  auto g = registers_.number("green");
  auto b = registers_.number("blue");
  auto dimmer = registers_.number("dimmer");
  if (!r || !g || !b || !dimmer) return std::nullopt;
  auto channel = [](double pct) {
    return static_cast<std::uint8_t>(std::lround(std::clamp(pct, 0.0, 100.0) * 2.55));
  };
  return LightCommand{{channel(*r), channel(*g), channel(*b)}, std::clamp(*dimmer, 0.0, 100.0)};
}

}  // namespace sensoryd::devices
