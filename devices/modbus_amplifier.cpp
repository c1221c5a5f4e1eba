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
      registers_("sound " + id_, config_.modbus, {config_.volume, config_.mute, config_.source},
                 bus, lost_after_polls) {}

void ModbusAmplifier::apply(const SoundCommand& command, Clock::time_point) {
  // Muting is written before a volume change and unmuting after it, so that no write order
  // lets the old volume be heard with the new source or the new volume before the mute.
  auto volume = static_cast<std::uint16_t>(
      command.playing ? std::round(std::clamp(command.volume_pct, 0.0, 100.0)) : 0.0);
  if (!command.playing) registers_.set(config_.mute, 1);
  registers_.set(config_.volume, volume);
  registers_.set(config_.source, source_number(command.source));
  if (command.playing) registers_.set(config_.mute, 0);
}

std::optional<SoundCommand> ModbusAmplifier::reported() const {
  auto volume = registers_.read_back(config_.volume);
  auto mute = registers_.read_back(config_.mute);
  auto source = registers_.read_back(config_.source);
  if (!volume || !mute || !source) return std::nullopt;
  return SoundCommand{*mute == 0, std::to_string(*source), static_cast<double>(*volume)};
}

}  // namespace sensoryd::devices
