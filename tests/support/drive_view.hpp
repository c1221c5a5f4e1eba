// What a swing drive holds, read back from a fake bus through the register codec (in degrees,
// seconds, rev/s and on/off, whatever its map), and a drive of another make to hold it: for the
// random-sequence safety test.
#pragma once

#include <string>
#include <vector>

#include "config/register_codec.hpp"
#include "tests/support/control_rig.hpp"
#include "tests/support/fake_bus.hpp"
#include "tests/support/register_specs.hpp"

namespace sensoryd::test {

// A drive of another make: values in its own units and bits, as a technician would map it.
inline config::SwingDrive scaled_drive() {
  config::SwingDrive drive = ControlRig::default_drive();
  drive.gear_ratio = 200.0;
  auto reg = [](std::uint16_t address, double scale, config::ValueType type) {
    return holding_value(address, type, scale);
  };
  auto bit = [](int n) { return holding_bit(20, n); };
  config::RegisterMap map;
  map.registers = {
      {"enable", bit(0)},
      {"run", bit(1)},
      {"direction", bit(4)},
      {"mode", reg(21, 1.0, config::ValueType::u16)},
      {"amplitude", reg(22, 0.01, config::ValueType::u32)},
      {"period", reg(24, 0.01, config::ValueType::u16)},
      {"speed", reg(25, 0.01, config::ValueType::u16)},
      {"comm_loss_timeout", reg(26, 0.1, config::ValueType::u16)},
      {"comm_loss_action", reg(27, 1.0, config::ValueType::u16)},
      {"heartbeat", reg(28, 1.0, config::ValueType::u16)},
  };
  for (const auto& [key, spec] : config::default_swing_registers().registers) {
    bool read = spec.table == config::RegisterTable::input;
    if (read) map.registers.push_back({key, spec});
  }
  drive.registers = map;
  return drive;
}

// What the drive holds, decoded from the registers the fake bus keeps, through the codec.
class DriveView {
 public:
  DriveView(const config::SwingDrive& drive, const FakeBus& bus) : drive_(drive), bus_(bus) {}

  double number(const char* key) const {
    const config::RegisterSpec& spec = *drive_.registers.find(key);
    std::vector<std::uint16_t> words;
    for (std::uint16_t i = 0; i < spec.count(); ++i) words.push_back(word(spec.address + i));
    return config::decode(spec, words);
  }
  bool on(const char* key) const {
    const config::RegisterSpec* spec = drive_.registers.find(key);
    return spec != nullptr && config::decode_flag(*spec, word(spec->address));
  }
  // Enabled: every stop switch the map has is on.
  bool enabled() const {
    bool any = false;
    for (const char* key : {"control", "enable", "run"}) {
      if (drive_.registers.find(key) == nullptr) continue;
      if (!on(key)) return false;
      any = true;
    }
    return any;
  }
  double amplitude_deg() const { return number("amplitude"); }
  double period_s() const { return number("period"); }
  double speed_rev_s() const { return number("speed") / drive_.gear_ratio; }
  bool counterclockwise() const { return on("direction"); }
  bool spinning() const { return enabled() && number("mode") == 2.0; }
  // The key a logged write completes (the last word of a value, or a switch's register).
  std::string completes(std::uint16_t address) const {
    for (const char* key : {"amplitude", "period", "speed"}) {
      const config::RegisterSpec& spec = *drive_.registers.find(key);
      if (address == spec.address + spec.count() - 1) return key;
    }
    for (const char* key : {"control", "enable", "run"}) {
      const config::RegisterSpec* spec = drive_.registers.find(key);
      if (spec != nullptr && spec->address == address) return "enable";
    }
    return {};
  }

 private:
  std::uint16_t word(unsigned address) const {
    auto it = bus_.holding.find({ControlRig::kSwing, static_cast<std::uint16_t>(address)});
    return it == bus_.holding.end() ? 0 : it->second;
  }
  const config::SwingDrive& drive_;
  const FakeBus& bus_;
};

}  // namespace sensoryd::test
