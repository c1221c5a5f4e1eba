// A Modbus RTU line: what a room's polls ask of it, worked out from the drivers' own read plans
// and the line's framing (--check-config's warning), and the simulator's framing of requests
// on a line that several units share.
#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "devices/rtu_line_load.hpp"
#include "simulators/rtu_frames.hpp"
#include "test_paths.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd {
namespace {

// A drive reading its 4 input registers in one request every 50 ms and fed every 125 ms, and
// an E-stop contact read every 20 ms (S3's poll), on one line at `baud` 8E1.
std::string rtu_room(int baud, const std::string& line = "rtu") {
  return R"([room]
id = "room-1"

[mqtt]
uri = "tcp://127.0.0.1:1883"

[buses.line]
type = ")" +
         line + R"("
)" +
         (line == "rtu" ? "device = \"/dev/ttyUSB0\"\nbaud = " + std::to_string(baud) + "\n"
                        : "host = \"127.0.0.1\"\n") +
         R"(
[devices.swing]
kind = "swing_drive"
bus = "line"
unit = 1
comm_loss_timeout = "500ms"
poll_period = "50ms"

[devices.swing.registers]
control = 0
mode = 1
amplitude = 2
period = 3
comm_loss_timeout = 4
comm_loss_action = 5
heartbeat = 6
status = 0
angle = 1
measured_amplitude = 2
fault_code = 3

[devices.estop]
kind = "modbus_input"
role = "estop"
bus = "line"
unit = 3
address = 0
active_low = true
poll_period = "20ms"

[limits.swing]
max_amplitude_deg = 20
)";
}

class RtuLineLoad : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir.path() / "profiles"); }
  config::Room load(const std::string& text) {
    std::ofstream(dir.path() / "room.toml") << text;
    auto result = config::load_room(dir.path() / "room.toml");
    if (!result.room) ADD_FAILURE() << result.diagnostics.errors.front().to_string();
    return result.room ? *result.room : config::Room{};
  }
  test::TempDir dir;
};

TEST_F(RtuLineLoad, ACharacterAndTheSilenceFollowTheSerialLineStandard) {
  config::ModbusBus bus;
  bus.type = config::BusType::rtu;
  bus.baud = 19200;  // 8E1: 11 bits
  EXPECT_NEAR(devices::rtu_character_ms(bus), 11.0 / 19.2, 1e-9);
  EXPECT_NEAR(devices::rtu_silence_ms(bus), 3.5 * 11.0 / 19.2, 1e-9);
  bus.baud = 9600;
  bus.parity = 'N';  // 8N1: 10 bits
  EXPECT_NEAR(devices::rtu_character_ms(bus), 10.0 / 9.6, 1e-9);
  bus.baud = 115200;  // above 19200 the silence is a fixed 1.75 ms
  EXPECT_DOUBLE_EQ(devices::rtu_silence_ms(bus), 1.75);
}

TEST_F(RtuLineLoad, TwentyMillisecondPollsOfAnEStopFillA19200BaudLine) {
  auto loads = devices::rtu_line_loads(load(rtu_room(19200)));
  ASSERT_EQ(loads.size(), 1u);
  const auto& line = loads.front();
  // 20 drive reads, 8 heartbeats and 50 contact reads a second.
  EXPECT_NEAR(line.requests_per_s, 78.0, 1e-9);
  double c = 11.0 / 19.2;
  double overhead = 2 * 3.5 * c + devices::kRtuTurnaroundMs;
  double busy = 20 * (21 * c + overhead) + 8 * (16 * c + overhead) + 50 * (14 * c + overhead);
  EXPECT_NEAR(line.busy_ms_per_s, busy, 1e-6);  // about 1184 ms of every 1000
  EXPECT_TRUE(line.over());
  EXPECT_NE(line.arithmetic.find("[buses.line] at 19200 baud, 8E1"), std::string::npos)
      << line.arithmetic;
  EXPECT_NE(line.arithmetic.find("78.0 requests a second"), std::string::npos) << line.arithmetic;
  EXPECT_NE(line.arithmetic.find("poll less often"), std::string::npos) << line.arithmetic;
}

TEST_F(RtuLineLoad, TheSameRoomFitsAt38400Baud) {
  auto loads = devices::rtu_line_loads(load(rtu_room(38400)));
  ASSERT_EQ(loads.size(), 1u);
  double c = 11.0 / 38.4;
  double overhead = 2 * 1.75 + devices::kRtuTurnaroundMs;  // above 19200: 1.75 ms silences
  double busy = 20 * (21 * c + overhead) + 8 * (16 * c + overhead) + 50 * (14 * c + overhead);
  EXPECT_NEAR(loads.front().busy_ms_per_s, busy, 1e-6);  // about 786 ms of every 1000
  EXPECT_FALSE(loads.front().over());
  EXPECT_EQ(loads.front().arithmetic.find("poll less often"), std::string::npos);
}

TEST_F(RtuLineLoad, ATcpBusIsNoSerialLine) {
  EXPECT_TRUE(devices::rtu_line_loads(load(rtu_room(19200, "tcp"))).empty());
}

TEST(RtuLineLoadExample, TheExampleRtuRoomsTwoLinesEachFit) {
  auto loaded = config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) /
                                  "config/examples/room-rtu.toml");
  ASSERT_TRUE(loaded.room) << loaded.diagnostics.errors.front().to_string();
  auto loads = devices::rtu_line_loads(*loaded.room);
  ASSERT_EQ(loads.size(), 2u);
  for (const auto& line : loads) EXPECT_FALSE(line.over()) << line.arithmetic;
  // The two contacts every 20 ms: 100 requests a second on their own line.
  EXPECT_EQ(loads[1].bus, "safety");
  EXPECT_NEAR(loads[1].requests_per_s, 100.0, 1e-9);
}

TEST(RtuFrames, EachRequestsLengthIsToldFromItsFunctionCode) {
  std::array<std::uint8_t, 8> read{3, 0x02, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(sim::rtu_request_length({read.data(), 1}), 0);  // too few bytes to tell
  EXPECT_EQ(sim::rtu_request_length(read), 8);
  std::array<std::uint8_t, 7> many{1, 0x10, 0, 2, 0, 2, 4};  // 2 registers: 4 data bytes
  EXPECT_EQ(sim::rtu_request_length({many.data(), 6}), 0);
  EXPECT_EQ(sim::rtu_request_length(many), 13);
  std::array<std::uint8_t, 2> mask{1, 0x16};
  EXPECT_EQ(sim::rtu_request_length(mask), 10);
  std::array<std::uint8_t, 2> unknown{1, 0x2B};
  EXPECT_EQ(sim::rtu_request_length(unknown), -1);
}

TEST(RtuFrames, TheCrcIsModbusRtusAndABadOneIsTold) {
  // Read 4 input registers of unit 1 from 0, its CRC sent low byte first.
  std::array<std::uint8_t, 8> frame{0x01, 0x04, 0x00, 0x00, 0x00, 0x04, 0xF1, 0xC9};
  EXPECT_EQ(sim::rtu_crc({frame.data(), 6}), 0xC9F1);
  EXPECT_TRUE(sim::rtu_crc_ok(frame));
  frame[3] = 0x01;  // one bit off on the line
  EXPECT_FALSE(sim::rtu_crc_ok(frame));
}

}  // namespace
}  // namespace sensoryd
