// A DMX/LED controller over Modbus: red, green, blue and dimmer channels, 0-255 each, in the
// holding registers the room's config names.
#pragma once

#include "devices/light_fixture.hpp"
#include "devices/register_output.hpp"

namespace sensoryd::devices {

class ModbusLight final : public LightFixture {
 public:
  ModbusLight(std::string id, config::ModbusLight config, RegisterBus& bus,
              int lost_after_polls = 3);

  void attach() { registers_.attach(); }
  const std::string& id() const override { return id_; }
  const char* type() const override { return "modbus_light"; }
  void apply(const LightCommand& command, Clock::time_point now) override;
  Health health() const override { return registers_.health(); }
  const std::string& health_detail() const override { return registers_.health_detail(); }
  std::optional<LightCommand> reported() const override;
  void on_change(std::function<void()> handler) override {
    registers_.on_change(std::move(handler));
  }

 private:
  std::string id_;
  config::ModbusLight config_;
  RegisterOutput registers_;
};

}  // namespace sensoryd::devices
