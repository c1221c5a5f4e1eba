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
  int next_rtu_control_port = broker_port(room.mqtt.uri) + 2;
  for (const auto& bus : room.buses) {
    if (bus.type == config::BusType::rtu && bus.device.rfind("/dev/", 0) == 0) {
      plan.notes.push_back("bus " + bus.id + " is RTU on " + bus.device +
                           ", a real serial port: to simulate it, point the bus at a path " +
                           "outside /dev, where the simulator makes its pty");
      continue;
    }
    if (bus.type == config::BusType::rtu) {
      // The simulator makes a pty and links it from the bus's device path.
      SimProcess p;
      p.name = "modbus bus " + bus.id + " (RTU)";
      p.program = "sensoryd-modbus-sim";
      p.control_port = next_rtu_control_port++;
      p.args = {"--rtu",          bus.device,
                "--control-port", std::to_string(p.control_port),
                "--record",       (record_dir / (bus.id + "-recording.jsonl")).string(),
                "--config",       std::filesystem::absolute(room.source).string(),
                "--bus",          bus.id};
      plan.processes.push_back(std::move(p));
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
    // Each unit speaks the map its device has in the room file.
    p.args = {"--port",         std::to_string(bus.port),
              "--control-port", std::to_string(p.control_port),
              "--record",       (record_dir / (bus.id + "-recording.jsonl")).string(),
              "--config",       std::filesystem::absolute(room.source).string(),
              "--bus",          bus.id};
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

void sign_in_mqtt_simulator(SimRoomPlan& plan, const SimMqttAccount& account) {
  for (auto& process : plan.processes) {
    if (process.program != "sensoryd-mqtt-sim") continue;
    if (!account.username.empty()) {
      process.args.insert(process.args.end(), {"--username", account.username, "--password-file",
                                               account.password_file});
    }
    if (!account.ca_file.empty())
      process.args.insert(process.args.end(), {"--ca-file", account.ca_file});
  }
}

}  // namespace sensoryd::sim
