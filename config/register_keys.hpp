// The register keys each Modbus device kind knows, with what each short form means (table, type,
// scale, unit): the one place a key's documented default lives (docs/configuration.md).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "config/register_map.hpp"

namespace sensoryd::config {

// What sensoryd does with a key's value.
enum class KeyUse : std::uint8_t {
  number,   // an engineering value (degrees, seconds, per cent ...), written or read
  code,     // a raw number with a meaning of its own (mode, fault code, track), no scale
  counter,  // written with a changing count (a heartbeat)
  toggle,   // written on or off (a control bit, mute); `on`/`off` give the raw values
  flag,     // read as on or off (a status bit)
  word,     // today's status word: bits 0-3 ready, running, fault, comm lost
};

// A key a device kind knows, and what its short form means.
struct RegisterKey {
  std::string_view key;
  RegisterTable table;  // the short form's table, and the long form's default
  ValueType type;       // the short form's type
  double scale;         // the short form's scale: engineering units per raw count
  std::string_view unit;
  KeyUse use;
  bool written;  // sensoryd writes it (a readable table is refused)
};

// sensoryd's own swing controller (the simulator's map): the short forms' default addresses.
struct SwingRegisterMap {
  std::uint16_t control = 0;            // holding: 0 disabled, 1 enabled
  std::uint16_t mode = 1;               // holding: 0 off, 1 linear, 2 rotary
  std::uint16_t amplitude = 2;          // holding: setpoint, 0.1 deg
  std::uint16_t period = 3;             // holding: setpoint, ms
  std::uint16_t comm_loss_timeout = 4;  // holding: ms
  std::uint16_t comm_loss_action = 5;   // holding: 1 = ramp stop
  std::uint16_t heartbeat = 6;          // holding: any write feeds the watchdog
  std::uint16_t speed = 7;              // holding, rotary drives: setpoint, 0.001 rev/s
  std::uint16_t direction = 8;          // holding, rotary drives: 0 clockwise, 1 counter
  std::uint16_t status = 0;  // input: bit0 ready, bit1 running, bit2 fault, bit3 comm lost
  std::uint16_t angle = 1;   // input: 0.1 deg, signed
  std::uint16_t measured_amplitude = 2;  // input: 0.1 deg
  std::uint16_t fault_code = 3;          // input: 0 = none
  std::uint16_t measured_speed = 4;      // input, rotary drives: 0.001 rev/s
};

// The keys of a swing drive's `registers`, a Modbus light's `channels`, a Modbus amplifier's
// `registers`; an input's contact; a drive's `setup` write.
std::span<const RegisterKey> swing_keys();
std::span<const RegisterKey> light_keys();
std::span<const RegisterKey> sound_keys();
const RegisterKey& contact_key();
const RegisterKey& setup_key();

// What the short form `key = address` means: the key's table, type, scale and unit.
RegisterSpec short_form(const RegisterKey& key, std::uint16_t address);

// The key `name` of `keys`, or nullptr.
const RegisterKey* find_key(std::span<const RegisterKey> keys, std::string_view name);

// The bits of today's status word (the short form `status`), as named flags.
RegisterSpec status_bit(const RegisterSpec& word, int bit);

// The maps of sensoryd's own devices (the simulators' defaults): every key in its short form.
RegisterMap default_swing_registers();
RegisterMap default_light_channels();
RegisterMap default_sound_registers();
RegisterSpec default_contact();  // discrete input 0

}  // namespace sensoryd::config
