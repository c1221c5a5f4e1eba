#include "devices/modbus_light.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd::devices {

ModbusLight::ModbusLight(std::string id, config::ModbusLight config, RegisterBus& bus,
                         int lost_after_polls)
    : id_(std::move(id)),
      config_(std::move(config)),
      registers_("light " + id_, config_.modbus,
                 {config_.red, config_.green, config_.blue, config_.dimmer}, bus,
                 lost_after_polls) {}

void ModbusLight::apply(const LightCommand& command, Clock::time_point) {
  double dimmer = std::round(std::clamp(command.brightness_pct, 0.0, 100.0) * 255.0 / 100.0);
  registers_.set(config_.red, command.color.r);
  registers_.set(config_.green, command.color.g);
  registers_.set(config_.blue, command.color.b);
  registers_.set(config_.dimmer, static_cast<std::uint16_t>(dimmer));
}

std::optional<LightCommand> ModbusLight::reported() const {
  auto r = registers_.read_back(config_.red);
  auto g = registers_.read_back(config_.green);
  auto b = registers_.read_back(config_.blue);
  auto dimmer = registers_.read_back(config_.dimmer);
  if (!r || !g || !b || !dimmer) return std::nullopt;
  auto channel = [](std::uint16_t v) { return static_cast<std::uint8_t>(std::min<int>(v, 255)); };
  return LightCommand{{channel(*r), channel(*g), channel(*b)}, std::min<int>(*dimmer, 255) / 2.55};
}

}  // namespace sensoryd::devices
