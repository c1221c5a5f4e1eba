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

// Holding registers are written by sensoryd; input registers are read.
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

  bool operator==(const SwingRegisterMap&) const = default;
};

struct ModbusBinding {
  std::string bus;
  int unit = 1;
  Millis poll_period{100};

  bool operator==(const ModbusBinding&) const = default;
};

struct SwingDrive {
  ModbusBinding modbus;
  Millis comm_loss_timeout{500};
  SwingRegisterMap registers;
  bool rotary = false;  // the drive can spin

  bool operator==(const SwingDrive&) const = default;
};

// A light in the zigbee2mqtt JSON style: {"state":"ON","brightness":0-254,"color":{"hex":..},
// "transition":s} on <topic>/set, state on <topic>, availability on <topic>/availability.
struct MqttLight {
  std::string topic;
  bool color = true;  // false: a dimmable white light

  bool operator==(const MqttLight&) const = default;
};

// A DMX/LED controller over Modbus: one holding register per channel, 0-255.
struct ModbusLight {
  ModbusBinding modbus;
  std::uint16_t red = 0;
  std::uint16_t green = 1;
  std::uint16_t blue = 2;
  std::uint16_t dimmer = 3;

  bool operator==(const ModbusLight&) const = default;
};

// A networked audio player: JSON commands on <topic>/set ({"source","volume","state"}).
struct MqttSound {
  std::string topic;
  std::string calibration;  // id of a calibration table

  bool operator==(const MqttSound&) const = default;
};

struct ModbusSound {
  ModbusBinding modbus;
  std::uint16_t volume = 0;  // holding: 0-100
  std::uint16_t mute = 1;    // holding: 1 muted
  std::uint16_t source = 2;  // holding: track / input number
  std::string calibration;

  bool operator==(const ModbusSound&) const = default;
};

enum class InputRole : std::uint8_t { estop, door, occupancy, child_switch };
const char* to_string(InputRole role);

struct ModbusInput {
  ModbusBinding modbus;
  std::uint16_t address = 0;
  bool discrete = true;  // discrete input (fc 02); false: bit `bit` of an input register
  int bit = 0;

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
