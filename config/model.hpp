// The validated room model: what the rest of sensoryd reads. Built only by the loader.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sensoryd::config {

using Millis = std::chrono::milliseconds;

struct MqttSettings {
  std::string uri;        // e.g. tcp://127.0.0.1:1883
  std::string client_id;  // unique per room controller
  Millis keepalive{10'000};

  bool operator==(const MqttSettings&) const = default;
};

struct ModbusTcpBus {
  std::string id;
  std::string host;  // IPv4 literal or host name
  int port = 502;
  Millis response_timeout{250};

  bool operator==(const ModbusTcpBus&) const = default;
};

enum class SwingMode : std::uint8_t { off = 0, linear = 1, rotary = 2 };

// Holding registers are written by sensoryd; input registers are read.
struct SwingRegisterMap {
  std::uint16_t control = 0;            // holding: 0 disabled, 1 enabled
  std::uint16_t mode = 1;               // holding: SwingMode
  std::uint16_t amplitude = 2;          // holding: setpoint, 0.1 deg
  std::uint16_t period = 3;             // holding: setpoint, ms
  std::uint16_t comm_loss_timeout = 4;  // holding: ms, 0 = watchdog off
  std::uint16_t comm_loss_action = 5;   // holding: 1 = ramp stop
  std::uint16_t heartbeat = 6;          // holding: any write feeds the watchdog
  std::uint16_t status = 0;  // input: bit0 ready, bit1 running, bit2 fault, bit3 comm lost
  std::uint16_t angle = 1;   // input: measured angle, 0.1 deg, signed
  std::uint16_t measured_amplitude = 2;  // input: 0.1 deg
  std::uint16_t fault_code = 3;          // input: drive-specific, 0 = none

  bool operator==(const SwingRegisterMap&) const = default;
};

struct SwingDriveConfig {
  std::string id;
  std::string bus;  // id of a ModbusTcpBus
  int unit = 1;
  Millis comm_loss_timeout{500};
  Millis poll_period{50};
  SwingRegisterMap registers;

  bool operator==(const SwingDriveConfig&) const = default;
};

struct SwingLimits {
  double max_amplitude_deg = 30.0;
  double min_period_s = 2.0;
  double max_amplitude_rate_deg_s = 3.0;  // how fast a setpoint may change
  double max_period_rate_s_per_s = 1.0;

  bool operator==(const SwingLimits&) const = default;
};

struct SwingSetting {
  SwingMode mode = SwingMode::off;
  double amplitude_deg = 0.0;
  double period_s = 0.0;
};

struct Step {
  std::string name;
  SwingSetting swing;
  Millis fade{0};
  Millis duration{0};
};

struct Profile {
  std::string id;
  std::string title;
  std::string purpose;
  std::filesystem::path source;
  std::vector<Step> steps;
  Millis total_duration() const {
    Millis total{0};
    for (const auto& step : steps) total += step.duration;
    return total;
  }
};

struct Room {
  std::filesystem::path source;
  std::string id;
  std::string name;
  MqttSettings mqtt;
  std::vector<ModbusTcpBus> buses;
  std::vector<SwingDriveConfig> swings;
  SwingLimits swing_limits;
  std::map<std::string, Profile> profiles;  // by id

  const Profile* find_profile(const std::string& profile_id) const {
    auto it = profiles.find(profile_id);
    return it == profiles.end() ? nullptr : &it->second;
  }
};

}  // namespace sensoryd::config
