#include "simulators/sim_room_plan.hpp"

#include <map>

namespace sensoryd::sim {

namespace {

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

// The broker's port from tcp://host:port (1883 when none is given).
int broker_port(const std::string& uri) {
  auto colon = uri.rfind(':');
  if (colon == std::string::npos || colon < uri.find("//")) return 1883;
  try {
    return std::stoi(uri.substr(colon + 1));
  } catch (const std::exception&) {
    return 1883;
  }
}

}  // namespace

SimRoomPlan plan_sim_room(const config::Room& room, const std::filesystem::path& record_dir,
                          int mqtt_control_port) {
  SimRoomPlan plan;
  // Per bus, per unit: the kind of simulated device, and for an I/O module the contacts that
  // are closed at power-up (an active-low E-stop contact is closed while released).
  struct Unit {
    std::string kind;
    unsigned closed = 0;
  };
  std::map<std::string, std::map<int, Unit>> units;
  for (const auto& device : room.devices) {
    const config::ModbusBinding* binding = device.modbus();
    if (binding == nullptr) continue;
    Unit& unit = units[binding->bus][binding->unit];
    if (device.as<config::SwingDrive>()) unit.kind = "swing";
    if (device.as<config::ModbusLight>()) unit.kind = "light";
    if (device.as<config::ModbusSound>()) unit.kind = "amplifier";
    if (const auto* input = device.as<config::Input>(); input && input->modbus()) {
      unit.kind = "io";
      if (input->active_low && input->modbus()->discrete) {
        unit.closed |= 1U << input->modbus()->address;
      }
    }
  }
  for (const auto& bus : room.buses) {
    if (bus.type == config::BusType::rtu) {
      plan.notes.push_back("bus " + bus.id + " is RTU on " + bus.device +
                           ": run sensoryd-modbus-sim --rtu LINK and point the bus at LINK");
      continue;
    }
    if (!loopback(bus.host)) {
      plan.notes.push_back("bus " + bus.id + " is on " + bus.host +
                           ", not loopback: simulators serve 127.0.0.1 only");
      continue;
    }
    SimProcess p;
    p.name = "modbus bus " + bus.id;
    p.program = "sensoryd-modbus-sim";
    p.control_port = bus.port + 1;
    p.args = {"--port",         std::to_string(bus.port),
              "--control-port", std::to_string(p.control_port),
              "--record",       (record_dir / (bus.id + "-recording.jsonl")).string()};
    for (const auto& [unit, what] : units[bus.id]) {
      std::string kind = what.kind;
      if (kind == "io" && what.closed != 0) kind += "=" + std::to_string(what.closed);
      p.args.push_back("--unit");
      p.args.push_back(std::to_string(unit) + ":" + kind);
    }
    plan.processes.push_back(std::move(p));
  }
  SimProcess mqtt;
  mqtt.name = "mqtt devices";
  mqtt.program = "sensoryd-mqtt-sim";
  mqtt.control_port = mqtt_control_port != 0 ? mqtt_control_port : broker_port(room.mqtt.uri) + 1;
  mqtt.args = {"--broker",       room.mqtt.uri,
               "--control-port", std::to_string(mqtt.control_port),
               "--record",       (record_dir / "mqtt-recording.jsonl").string()};
  bool any = false;
  for (const auto& device : room.devices) {
    std::string topic;
    std::string flag;
    const auto* input = device.as<config::Input>();
    if (const auto* light = device.as<config::MqttLight>()) flag = "--light", topic = light->topic;
    if (const auto* sound = device.as<config::MqttSound>()) flag = "--player", topic = sound->topic;
    if (input && input->mqtt()) flag = "--switch", topic = input->mqtt()->topic;
    if (flag.empty()) continue;
    if (!device.availability_topic.empty() &&
        device.availability_topic != topic + "/availability") {
      plan.notes.push_back(device.id + ": the simulator says its availability on " + topic +
                           "/availability, not " + device.availability_topic);
    }
    if (flag == "--switch" &&
        (input->mqtt()->field != "action" || input->mqtt()->active_value != "single")) {
      plan.notes.push_back(device.id + ": the simulated button sends {\"action\":\"single\"}; " +
                           "this input listens for another field or value");
    }
    mqtt.args.push_back(flag);
    mqtt.args.push_back(topic);
    any = true;
  }
  if (any) plan.processes.push_back(std::move(mqtt));
  return plan;
}

}  // namespace sensoryd::sim
