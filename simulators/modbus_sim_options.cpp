#include "simulators/modbus_sim_options.hpp"

#include "simulators/sim_units.hpp"

namespace sensoryd::sim {

std::optional<ModbusSimOptions> parse_modbus_sim_options(int argc, char** argv,
                                                         std::string& error) {
  ModbusSimOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) {
      error = "missing value after " + arg;
      return std::nullopt;
    }
    std::string value = argv[++i];
    try {
      if (arg == "--host") {
        options.host = value;
      } else if (arg == "--port") {
        options.port = std::stoi(value);
      } else if (arg == "--control-port") {
        options.control_port = std::stoi(value);
      } else if (arg == "--record") {
        options.record = value;
      } else if (arg == "--config") {
        options.config = value;
      } else if (arg == "--bus") {
        options.bus = value;
      } else if (arg == "--rtu") {
        options.rtu_link = value;
      } else if (arg == "--unit") {
        auto colon = value.find(':');
        if (colon == std::string::npos) {
          error = "--unit takes ID:KIND, e.g. 3:io";
          return std::nullopt;
        }
        options.units.emplace_back(std::stoi(value.substr(0, colon)), value.substr(colon + 1));
      } else if (arg == "--rise") {
        options.physics.max_rise_deg_s = std::stod(value);
      } else if (arg == "--decel") {
        options.physics.max_decel_deg_s = std::stod(value);
      } else {
        error = "unknown option " + arg;
        return std::nullopt;
      }
    } catch (const std::exception&) {
      error = "not a number: " + value + " after " + arg;
      return std::nullopt;
    }
  }
  if (options.config.empty() != options.bus.empty()) {
    error = "--config and --bus go together: the room file and the id of the bus to simulate";
    return std::nullopt;
  }
  if (options.units.empty() && options.config.empty()) options.units.emplace_back(1, "swing");
  return options;
}

void print_modbus_sim_usage(std::ostream& out, const std::string& why) {
  out << "sensoryd-modbus-sim: " << why << "\n"
      << "usage: sensoryd-modbus-sim [--host ADDR] [--port N] [--config ROOM.toml --bus ID]\n"
      << "                           [--unit ID:KIND]...\n"
      << "                           [--record FILE] [--control-port M]\n"
      << "                           [--rise DEG_PER_S] [--decel DEG_PER_S]\n"
      << "       sensoryd-modbus-sim --rtu LINK [--unit ID:KIND]... [--config ROOM.toml --bus ID]\n"
      << "                           ...  (Modbus RTU on a pty that LINK names)\n"
      << "  KIND is one of " << kUnitKinds << "; default --unit 1:swing\n";
}

}  // namespace sensoryd::sim
