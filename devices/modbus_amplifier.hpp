// An amplifier over Modbus: volume (0-100), mute (1 muted) and source (a track or input number)
// in the holding registers the room's config names.
#pragma once

#include "devices/register_output.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd::devices {

class ModbusAmplifier final : public SoundPlayer {
 public:
  ModbusAmplifier(std::string id, config::ModbusSound config, RegisterBus& bus,
                  int lost_after_polls = 3);

  void attach() { registers_.attach(); }
  const std::string& id() const override { return id_; }
  const char* type() const override { return "modbus_sound"; }
  void apply(const SoundCommand& command, Clock::time_point now) override;
  Health health() const override { return registers_.health(); }
  const std::string& health_detail() const override { return registers_.health_detail(); }
  std::optional<SoundCommand> reported() const override;
  void on_change(std::function<void()> handler) override {
    registers_.on_change(std::move(handler));
  }

 private:
  std::string id_;
  config::ModbusSound config_;
  RegisterOutput registers_;
};

}  // namespace sensoryd::devices
