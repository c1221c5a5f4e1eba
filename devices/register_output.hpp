// The registers a Modbus output device is driven through (a DMX/LED controller's channels, an
// amplifier's volume and mute), as its configured map says: latest-wins writes of what changed,
// in engineering units, and a poll that reads them back, so that the device's health is known
// even while nothing changes.
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
#include "devices/register_io.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

class RegisterOutput {
 public:
  // `name` prefixes log lines ("light bubble-tube"); `map` names the registers driven.
  RegisterOutput(std::string name, config::ModbusBinding binding, config::RegisterMap map,
                 RegisterBus& bus, int lost_after_polls);

  // The reads a device with `map` makes at each poll (every register read back).
  static std::vector<ReadBlock> polled_reads(const config::RegisterMap& map);
  // Registers the read-back poll and link handler; call before the bus starts.
  void attach();
  // Each writes unless the device already holds it (as far as sensoryd knows).
  void set_number(const std::string& key, double value);
  void set_toggle(const std::string& key, bool on);
  void set_code(const std::string& key, std::uint16_t raw);
  // What the device holds for `key`, from the last read-back.
  std::optional<double> number(const std::string& key) const;
  std::optional<bool> toggle(const std::string& key) const;
  std::optional<std::uint16_t> code(const std::string& key) const;

  Health health() const { return health_.health(); }
  const std::string& health_detail() const { return health_.detail(); }
  void on_change(std::function<void()> handler) { on_change_ = std::move(handler); }

 private:
  void link_changed(bool connected, const std::string& detail);
  void poll_result(std::size_t block, const ReadResult& result);
  void send(const std::string& key, const RegisterWrite& write);

  config::ModbusBinding binding_;
  config::RegisterMap map_;
  RegisterBus& bus_;
  HealthTracker health_;
  RegisterImage image_;
  std::map<std::string, RegisterWrite> written_;  // what was last sent, per key
  int generation_ = 0;  // bumped on every reconnect: late answers of the old link are ignored
  std::function<void()> on_change_;
};

}  // namespace sensoryd::devices
