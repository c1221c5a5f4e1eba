// The launcher's plan for the example room: every configured device gets a simulator.
#include "simulators/sim_room_plan.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "test_paths.hpp"

namespace sensoryd {
namespace {

bool has_pair(const std::vector<std::string>& args, const std::string& flag,
              const std::string& value) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag && args[i + 1] == value) return true;
  }
  return false;
}

TEST(SimRoomPlan, TheExampleRoomGetsACabinetAndItsMqttDevices) {
  auto loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(loaded.room);
  auto plan = sim::plan_sim_room(*loaded.room, "/rec");
  ASSERT_EQ(plan.processes.size(), 2u);
  const auto& cabinet = plan.processes[0];
  EXPECT_EQ(cabinet.program, "sensoryd-modbus-sim");
  EXPECT_TRUE(has_pair(cabinet.args, "--port", "1502"));
  EXPECT_EQ(cabinet.control_port, 1503);
  // Each unit speaks the map its device has in the room file.
  EXPECT_TRUE(
      has_pair(cabinet.args, "--config", std::filesystem::absolute(loaded.room->source).string()));
  EXPECT_TRUE(has_pair(cabinet.args, "--bus", "cabinet"));
  EXPECT_TRUE(has_pair(cabinet.args, "--record", "/rec/cabinet-recording.jsonl"));
  const auto& mqtt = plan.processes[1];
  EXPECT_EQ(mqtt.program, "sensoryd-mqtt-sim");
  EXPECT_EQ(mqtt.control_port, 1884);
  EXPECT_TRUE(has_pair(mqtt.args, "--light", "zigbee2mqtt/ceiling-left"));
  EXPECT_TRUE(has_pair(mqtt.args, "--light", "zigbee2mqtt/ceiling-right"));
  EXPECT_TRUE(has_pair(mqtt.args, "--player", "sensory/player"));
  EXPECT_TRUE(has_pair(mqtt.args, "--switch", "zigbee2mqtt/big-button"));
  EXPECT_TRUE(plan.notes.empty());
}

TEST(SimRoomPlan, InASecureRoomOnlyTheMqttSimulatorSignsIn) {
  auto loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(loaded.room);
  auto plan = sim::plan_sim_room(*loaded.room, "/rec");
  auto cabinet_args = plan.processes[0].args;
  sim::sign_in_mqtt_simulator(plan, {"equipment", "/secrets/equipment", "/broker/ca.pem"});
  EXPECT_EQ(plan.processes[0].args, cabinet_args);
  const auto& mqtt = plan.processes[1].args;
  EXPECT_TRUE(has_pair(mqtt, "--username", "equipment"));
  EXPECT_TRUE(has_pair(mqtt, "--password-file", "/secrets/equipment"));
  EXPECT_TRUE(has_pair(mqtt, "--ca-file", "/broker/ca.pem"));
}

TEST(SimRoomPlan, AnRtuBusOutsideDevIsSimulatedOnAPtyLinkedFromItsDevicePath) {
  config::Room room;
  room.source = "/rooms/room.toml";
  room.mqtt.uri = "tcp://127.0.0.1:1883";
  config::ModbusBus first;
  first.id = "cabinet";
  first.type = config::BusType::rtu;
  first.device = "/run/demo/ttyCabinet";
  config::ModbusBus second = first;
  second.id = "ceiling";
  second.device = "/run/demo/ttyCeiling";
  room.buses = {first, second};
  auto plan = sim::plan_sim_room(room, "/rec");
  ASSERT_EQ(plan.processes.size(), 2u);
  EXPECT_TRUE(plan.notes.empty());
  const auto& args = plan.processes[0].args;
  EXPECT_TRUE(has_pair(args, "--rtu", "/run/demo/ttyCabinet"));
  EXPECT_TRUE(has_pair(args, "--bus", "cabinet"));
  EXPECT_TRUE(has_pair(args, "--config", "/rooms/room.toml"));
  EXPECT_TRUE(has_pair(args, "--control-port", "1885"));
  EXPECT_EQ(plan.processes[1].control_port, 1886);
}

TEST(SimRoomPlan, AnRtuOrRemoteBusIsNotSimulatedAndSaysWhy) {
  config::Room room;
  room.mqtt.uri = "tcp://127.0.0.1:1883";
  config::ModbusBus rtu;
  rtu.id = "serial";
  rtu.type = config::BusType::rtu;
  rtu.device = "/dev/ttyUSB0";
  config::ModbusBus remote;
  remote.id = "far";
  remote.host = "10.0.0.5";
  room.buses = {rtu, remote};
  auto plan = sim::plan_sim_room(room, "/rec");
  EXPECT_TRUE(plan.processes.empty());
  ASSERT_EQ(plan.notes.size(), 2u);
  EXPECT_NE(plan.notes[0].find("RTU"), std::string::npos);
  EXPECT_NE(plan.notes[1].find("not loopback"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd
