// Which simulators stand in for a room's equipment, worked out from its configuration: one
// Modbus simulator per bus (TCP, or RTU on a pty) with a unit of the right kind per device, and one
// MQTT simulator for its MQTT lights, players and buttons. Pure: sensoryd-sim-room starts them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace sensoryd::sim {

struct SimProcess {
  std::string name;               // "modbus bus cabinet", "mqtt devices"
  std::vector<std::string> args;  // after the program; the program is args[0]'s simulator
  std::string program;            // sensoryd-modbus-sim or sensoryd-mqtt-sim
  int control_port = 0;
};

struct SimRoomPlan {
  std::vector<SimProcess> processes;
  std::vector<std::string> notes;  // what is not simulated, and why
};

// `record_dir`: where each simulator's recording goes. `mqtt_control_port` 0: the broker's
// port + 1. Modbus control ports are each TCP bus's port + 1, and for the RTU buses (each on a
// pty the simulator links from the bus's device path, which must be outside /dev) the broker's
// port + 2, + 3, ... in the room file's order.
SimRoomPlan plan_sim_room(const config::Room& room, const std::filesystem::path& record_dir,
                          int mqtt_control_port = 0);

// For a secure room's broker: the MQTT simulator signs in with this account and trusts this CA
// (docs/security.md); empty values add nothing.
struct SimMqttAccount {
  std::string username;
  std::string password_file;
  std::string ca_file;
};
void sign_in_mqtt_simulator(SimRoomPlan& plan, const SimMqttAccount& account);

}  // namespace sensoryd::sim
