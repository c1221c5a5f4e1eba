// A bank of holding registers a Modbus output device is driven through (a DMX/LED controller's
// channels, an amplifier's volume and mute): latest-wins writes of what changed, and a poll that
// reads the bank back, so the device's health is known even while nothing changes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/device_model.hpp"
#include "devices/health.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

class RegisterOutput {
 public:
  // `name` prefixes log lines ("light bubble-tube"); `addresses` are the registers driven.
  RegisterOutput(std::string name, config::ModbusBinding binding,
                 std::vector<std::uint16_t> addresses, RegisterBus& bus, int lost_after_polls);

  // Registers the read-back poll and link handler; call before the bus starts.
  void attach();
  // Writes `value` unless the device already holds it (as far as sensoryd knows).
  void set(std::uint16_t address, std::uint16_t value);
  // What the device holds at `address`, from the last read-back.
  std::optional<std::uint16_t> read_back(std::uint16_t address) const;

  Health health() const { return health_.health(); }
  const std::string& health_detail() const { return health_.detail(); }
  void on_change(std::function<void()> handler) { on_change_ = std::move(handler); }

 private:
  void link_changed(bool connected, const std::string& detail);
  void poll_result(const ReadResult& result);

  config::ModbusBinding binding_;
  RegisterBus& bus_;
  HealthTracker health_;
  std::uint16_t first_ = 0;
  std::uint16_t count_ = 0;
  std::map<std::uint16_t, std::uint16_t> written_;  // what was last sent, per register
  std::vector<std::uint16_t> read_back_;
  int generation_ = 0;  // bumped on every reconnect: late answers of the old link are ignored
  std::function<void()> on_change_;
};

}  // namespace sensoryd::devices
