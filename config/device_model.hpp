// The room's equipment as configured: buses, and devices of every kind bound to a bus or to
// MQTT topics, with their register maps or payload mappings.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/register_keys.hpp"
#include "config/register_map.hpp"

namespace sensoryd::config {

using Millis = std::chrono::milliseconds;

enum class BusType : std::uint8_t { tcp, rtu };

struct ModbusBus {
  std::string id;
  BusType type = BusType::tcp;
  // tcp
  std::string host;
  int port = 502;
  // rtu
  std::string device;  // e.g. /dev/ttyUSB0
  int baud = 19200;
  char parity = 'E';  // 'N', 'E' or 'O'
  int data_bits = 8;
  int stop_bits = 1;
  // both
  Millis response_timeout{250};
  Millis frame_delay{0};              // quiet time between frames, for slow RTU devices
  std::optional<Millis> poll_period;  // default for its devices; unset: each kind's own default

  bool operator==(const ModbusBus&) const = default;
};

struct ModbusBinding {
  std::string bus;
  int unit = 1;
  Millis poll_period{100};
  bool mask_write = false;  // bits of a register: one fc 22 write, not read-modify-write
  // How long the bus waits for this unit's answer; unset: the bus's response_timeout. A short
  // one for a unit that is not a safety device keeps a dead one from holding the others up.
  std::optional<Millis> response_timeout;

  bool operator==(const ModbusBinding&) const = default;
};

// A swing drive or rotary platform. Engineering units of its registers: degrees, seconds,
// rev/s (times gear_ratio), on/off for switches and flags.
struct SwingDrive {
  ModbusBinding modbus;
  Millis comm_loss_timeout{500};
  RegisterMap registers = default_swing_registers();
  std::vector<SetupWrite> setup;  // written (and read back) at every connect
  bool rotary = false;            // the drive can spin
  bool linear = true;             // the drive can swing (false: a rotary platform only)
  double gear_ratio = 1.0;        // speed registers' units per rev/s of the seat (a VFD's Hz)

  bool operator==(const SwingDrive&) const = default;
};

// A light in the zigbee2mqtt JSON style: {"state":"ON","brightness":0-254,"color":{"hex":..},
// "transition":s} on <topic>/set, state on <topic>, availability on <topic>/availability.
struct MqttLight {
  std::string topic;
  bool color = true;  // false: a dimmable white light

  bool operator==(const MqttLight&) const = default;
};

// A DMX/LED controller over Modbus: red, green, blue and dimmer channels in per cent (the short
// form: one holding register per channel, 0-255).
struct ModbusLight {
  ModbusBinding modbus;
  RegisterMap channels = default_light_channels();

  bool operator==(const ModbusLight&) const = default;
};

// A networked audio player: JSON commands on <topic>/set ({"source","volume","state"}).
struct MqttSound {
  std::string topic;
  std::string calibration;  // id of a calibration table

  bool operator==(const MqttSound&) const = default;
};

// An amplifier over Modbus: volume (per cent), mute (a switch), source (a track or input number).
struct ModbusSound {
  ModbusBinding modbus;
  RegisterMap registers = default_sound_registers();
  std::string calibration;

  bool operator==(const ModbusSound&) const = default;
};

enum class InputRole : std::uint8_t { estop, door, occupancy, child_switch };
const char* to_string(InputRole role);

struct ModbusInput {
  ModbusBinding modbus;
  // The contact as a flag: a discrete input (fc 02) by default, or a coil, or bit `bit` of an
  // input or holding register.
  RegisterSpec contact = default_contact();

  bool operator==(const ModbusInput&) const = default;
};

struct MqttInput {
  std::string topic;
  std::string field;         // JSON field holding the value, e.g. "contact"; empty: raw payload
  std::string active_value;  // the payload or field value meaning "active", e.g. "true"

  bool operator==(const MqttInput&) const = default;
};

struct Input {
  InputRole role = InputRole::child_switch;
  bool active_low = false;  // e.g. an E-stop status contact that opens on a press
  Millis debounce{20};
  std::variant<ModbusInput, MqttInput> source;  // where the contact is read

  const ModbusInput* modbus() const { return std::get_if<ModbusInput>(&source); }
  const MqttInput* mqtt() const { return std::get_if<MqttInput>(&source); }
  bool operator==(const Input&) const = default;
};

enum class DeviceKind : std::uint8_t { swing_drive, light, sound, input };
const char* to_string(DeviceKind kind);

// What a device is, with the settings of its kind and transport: exactly one of these.
using Equipment = std::variant<SwingDrive, MqttLight, ModbusLight, MqttSound, ModbusSound, Input>;

struct Device {
  std::string id;
  std::string type;                 // as written: swing_drive, mqtt_light, modbus_light, ...
  std::string template_id;          // the template it was made from, if any
  std::vector<std::string> groups;  // light groups this fixture belongs to
  Equipment equipment;
  std::string availability_topic;  // MQTT devices: "online"/"offline"

  // The settings of kind T, or nullptr when the device is of another kind.
  template <typename T>
  const T* as() const {
    return std::get_if<T>(&equipment);
  }
  DeviceKind kind() const;
  // The Modbus binding of a Modbus device; nullptr for an MQTT one.
  const ModbusBinding* modbus() const;
  bool operator==(const Device&) const = default;
};

// Maps a player's volume (0-100) to the level at the listener, in dBA; increasing.
struct Calibration {
  std::string id;
  std::vector<std::pair<double, double>> points;  // (volume, dBA)

  double dba_at(double volume) const;
  // The highest volume whose level stays at or below `dba`.
  double volume_for(double dba) const;
  bool operator==(const Calibration&) const = default;
};

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

// What lights and sound do in the safe state (S2, S3).
struct SafeScene {
  Rgb color{255, 176, 96};  // warm white
  double brightness_pct = 20.0;
  std::map<std::string, std::pair<Rgb, double>> fixtures;  // per-fixture overrides

  bool operator==(const SafeScene&) const = default;
};

}  // namespace sensoryd::config
