// The register keys each Modbus device kind knows, with what each short form means (table, type,
// scale, unit): the one place a key's documented default lives (docs/configuration.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

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

// A swing drive's keys. Code names a key by this enum, never by its text: a misspelt key does
// not compile, where a misspelt string would find nothing and read as 0.
enum class SwingKey : std::uint8_t {
  // written
  control,
  enable,
  run,
  quick_stop,
  fault_reset,
  mode,
  amplitude,
  period,
  comm_loss_timeout,
  comm_loss_action,
  heartbeat,
  speed,
  direction,
  // read
  status,
  ready,
  running,
  fault,
  comm_lost,
  angle,
  measured_amplitude,
  fault_code,
  measured_speed,
};
inline constexpr std::size_t kSwingKeyCount =
    static_cast<std::size_t>(SwingKey::measured_speed) + 1;

// The key's name in a room's `registers` table.
std::string_view name_of(SwingKey key);
// The swing key called `name`, if there is one.
std::optional<SwingKey> swing_key_named(std::string_view name);
// Where `map` says `key` is, or nullptr.
const RegisterSpec* find(const RegisterMap& map, SwingKey key);

// Keys a drive must have mapped, and why: the loader's check (file:line:col) and the driver's
// (when it is built) read this one list.
struct RequiredSwingKey {
  SwingKey key;
  std::string_view why;
};
std::vector<RequiredSwingKey> required_swing_keys(bool linear, bool rotary);
// The switches that stop the drive (a category 1 stop: run off, then enable, then control); at
// least one must be mapped.
std::span<const SwingKey> swing_stop_keys();
// Keys only a drive that swings (linear) or only a rotary drive uses.
std::span<const SwingKey> linear_only_swing_keys();
std::span<const SwingKey> rotary_only_swing_keys();
// The four named flags of today's status word, bit 0 first.
std::span<const SwingKey> status_word_flags();

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
