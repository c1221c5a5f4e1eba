// sensoryd-modbus-sim's command line: what it serves (a room file's bus, or units of sensoryd's
// own maps by kind), where, and how its swing physics behave.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "simulators/swing_model.hpp"

namespace sensoryd::sim {

struct ModbusSimOptions {
  std::string host = "127.0.0.1";
  int port = 1502;
  int control_port = 0;
  std::string rtu_link;  // non-empty: Modbus RTU on a pty, linked from this path
  std::string record;
  std::vector<std::pair<int, std::string>> units;  // unit id, kind
  std::string config;  // a room file: the units of bus `bus`, with their configured maps
  std::string bus;
  SwingPhysics physics;
};

// The options, or nullopt with `error` saying what is wrong.
std::optional<ModbusSimOptions> parse_modbus_sim_options(int argc, char** argv, std::string& error);

// The usage text, after `why`.
void print_modbus_sim_usage(std::ostream& out, const std::string& why);

}  // namespace sensoryd::sim
