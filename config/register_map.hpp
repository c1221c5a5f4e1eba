// A Modbus device's registers as configured: where each named value lives (table, address),
// how it is coded (type, word order, scale, offset) or which bits of a register it is, so that
// a new model of a known kind is configuration only (docs/configuration.md, "Registers").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sensoryd::config {

// Function codes: holding 03 read, 06/16 write (22 for a masked write); input 04; coil 01 read,
// 05 write; discrete 02.
enum class RegisterTable : std::uint8_t { holding, input, coil, discrete };
enum class ValueType : std::uint8_t { u16, s16, u32, s32, f32 };
enum class WordOrder : std::uint8_t { high_first, low_first };

const char* to_string(RegisterTable table);
const char* to_string(ValueType type);
const char* to_string(WordOrder order);

// One named value of a device. A number: engineering = raw x scale + offset. A switch or flag
// (`bit`/`mask`, or a whole register with `on`/`off`): the raw values under `mask` that mean
// on and off.
struct RegisterSpec {
  std::uint16_t address = 0;  // 0-based, as in the PDU
  RegisterTable table = RegisterTable::holding;
  ValueType type = ValueType::u16;
  WordOrder word_order = WordOrder::high_first;
  double scale = 1.0;
  double offset = 0.0;
  std::uint16_t mask = 0xFFFF;   // the bits this value occupies in its (16-bit) register
  std::uint16_t on = 1;          // switch/flag: the raw value under `mask` meaning on
  std::uint16_t off = 0;         // switch: the raw value under `mask` meaning off
  bool flag_on_nonzero = false;  // flag read as "on when any bit under the mask is set"
  bool persistent = false;       // kept in EEPROM: written only when the read-back differs
  std::string unit;              // engineering unit, for messages and --check-config

  // Registers (or coils) it spans: 2 for a 32-bit type, else 1.
  std::uint16_t count() const;
  // Some bits of a register, not all of it (read-modify-write or a masked write to change).
  bool partial() const { return mask != 0xFFFF; }
  bool operator==(const RegisterSpec&) const = default;
};

struct NamedRegister {
  std::string key;
  RegisterSpec spec;
  bool operator==(const NamedRegister&) const = default;
};

// A write sensoryd makes once at connect (command source = Modbus, ...), then reads back.
struct SetupWrite {
  std::string name;  // for messages: "setup[1]" or its `name`
  RegisterSpec spec;
  double value = 0.0;  // engineering value
  bool operator==(const SetupWrite&) const = default;
};

// A device's named registers in the order they were configured.
struct RegisterMap {
  std::vector<NamedRegister> registers;

  const RegisterSpec* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  bool operator==(const RegisterMap&) const = default;
};

}  // namespace sensoryd::config
