#include "devices/modbus_amplifier.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace sensoryd::devices {

namespace {

// A source is a track or input number on an amplifier; anything else plays its default (0).
std::uint16_t source_number(const std::string& source) {
  std::uint16_t number = 0;
  std::from_chars(source.data(), source.data() + source.size(), number);
  return number;
}

}  // namespace

ModbusAmplifier::ModbusAmplifier(std::string id, config::ModbusSound config, RegisterBus& bus,
                                 int lost_after_polls)
    : id_(std::move(id)),
      config_(std::move(config)),
      registers_("sound " + id_, config_.modbus, config_.registers, bus, lost_after_polls) {}

void ModbusAmplifier::apply(const SoundCommand& command, Clock::time_point) {
  // Muting is written before a volume change and unmuting after it, so that no write order
  // lets the old volume be heard with the new source or the new volume before the mute.
  double volume = command.playing ? std::round(std::clamp(command.volume_pct, 0.0, 100.0)) : 0.0;
  if (!command.playing) registers_.set_toggle("mute", true);
  registers_.set_number("volume", volume);
  registers_.set_code("source", source_number(command.source));
  if (command.playing) registers_.set_toggle("mute", false);
}

std::optional<SoundCommand> ModbusAmplifier::reported() const {
  auto volume = registers_.number("volume");
  auto mute = registers_.toggle("mute");
  auto source = registers_.code("source");
  if (!volume || !mute || !source) return std::nullopt;
  return SoundCommand{!*mute, std::to_string(*source), *volume};
}

}  // namespace sensoryd::devices
