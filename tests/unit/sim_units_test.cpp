// The Modbus simulator's units speak the map a room's configuration gives them: what a write of
// a drive's own units and bits does to the physics, what it answers, and what it records.
#include "simulators/sim_units.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "test_paths.hpp"
#include "tests/support/register_specs.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::sim {
namespace {

using namespace std::chrono_literals;
using Clock = SimUnit::Clock;

std::vector<nlohmann::json> lines_of(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(SimUnits, TheExampleRoomsCabinetGetsAUnitOfEachDeviceWithItsContactsAsWired) {
  auto loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(loaded.room);
  Recorder recorder("");
  auto units = make_units(*loaded.room, "cabinet", SwingPhysics{}, recorder, Clock::now());
  ASSERT_EQ(units.size(), 5u);
  std::vector<std::string> kinds;
  for (const auto& unit : units) kinds.push_back(unit->kind());
  EXPECT_EQ(kinds, (std::vector<std::string>{"swing", "light", "io", "io", "amplifier"}));
  EXPECT_EQ(units[2]->discrete().at(0), 1);  // the E-stop's status contact, closed: released
  EXPECT_EQ(units[3]->discrete().at(0), 0);  // the door contact, open: door closed
}

// A drive whose control word packs enable (bit 0) and run (bit 1), with a 32-bit amplitude in
// 0.01 deg (low word first), readings in holding registers.
config::SwingDrive packed_drive() {
  auto spec = test::holding_value;
  auto bit = test::holding_bit;
  config::SwingDrive drive;
  drive.registers.registers = {
      {"enable", bit(10, 0)},
      {"run", bit(10, 1)},
      {"mode", spec(11, config::ValueType::u16, 1.0)},
      {"amplitude", spec(12, config::ValueType::u32, 0.01)},
      {"period", spec(14, config::ValueType::u16, 0.01)},
      {"comm_loss_timeout", spec(20, config::ValueType::u16, 0.1)},
      {"comm_loss_action", spec(21, config::ValueType::u16, 1.0)},
      {"heartbeat", spec(22, config::ValueType::u16, 1.0)},
      {"running", bit(30, 1)},
      {"measured_amplitude", spec(32, config::ValueType::u16, 0.1)},
  };
  return drive;
}

TEST(SimUnits, ADriveOfAnotherMapMovesOnlyWhenItsOwnBitsSayRunAndRecordsItsUnits) {
  test::TempDir dir;
  config::Room room;
  config::Device device;
  device.id = "swing";
  config::SwingDrive drive = packed_drive();
  drive.modbus.bus = "cabinet";
  device.equipment = drive;
  room.devices.push_back(device);
  Clock::time_point t{1h};
  std::vector<std::unique_ptr<SimUnit>> units;
  {
    Recorder recorder((dir.path() / "rec.jsonl").string());
    units = make_units(room, "cabinet", SwingPhysics{}, recorder, t);
    ASSERT_EQ(units.size(), 1u);
    SimUnit& unit = *units[0];
    std::vector<std::uint16_t> period{400};                   // 4 s
    std::vector<std::uint16_t> amplitude{1000, 0};            // 10 deg, low word first
    unit.write(false, 11, std::vector<std::uint16_t>{1}, t);  // mode linear
    unit.write(false, 12, amplitude, t);
    unit.write(false, 14, period, t);
    unit.write(false, 10, std::vector<std::uint16_t>{0x0001}, t);  // enable only: not running
    unit.step(t + 1s);
    EXPECT_EQ(unit.holding().at(30) & 0x2, 0) << "moved with its run bit off";
    unit.write(false, 10, std::vector<std::uint16_t>{0x0003}, t + 1s);  // enable and run
    unit.step(t + 2s);
    unit.write(false, 22, std::vector<std::uint16_t>{1}, t + 2s);  // heartbeat
    unit.step(t + 3s);
    EXPECT_NE(unit.holding().at(30) & 0x2, 0) << "not running with both bits on";
    EXPECT_GT(unit.holding().at(32), 0) << "no amplitude measured";
  }
  auto recording = lines_of(dir.path() / "rec.jsonl");
  bool amplitude_seen = false;
  for (const auto& line : recording) {
    if (line.value("name", "") != "amplitude") continue;
    amplitude_seen = true;
    EXPECT_EQ(line["value"], 1000);  // the register as it stands: the low word
    EXPECT_DOUBLE_EQ(line["eng"].get<double>(), 10.0);
  }
  EXPECT_TRUE(amplitude_seen);
}

}  // namespace
}  // namespace sensoryd::sim
