// A drive described by configuration: the register syntax accepted exactly as documented, every
// map sensoryd cannot use safely refused at its file:line:col, and the drive driven through the
// codec on a fake bus (bits of a control word, a 32-bit setpoint, a watchdog in 0.1 s).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/register_keys.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "devices/swing_drive.hpp"
#include "tests/support/fake_bus.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;

// The drive of the issue, exactly as written there, with an E-stop on an I/O module.
constexpr const char* kMappedRoom = R"([room]
id = "room-1"

[mqtt]
uri = "tcp://127.0.0.1:1883"

[buses.cabinet]
type = "tcp"
host = "127.0.0.1"

[devices.swing]
kind = "swing_drive"
bus = "cabinet"
unit = 1
comm_loss_timeout = "500ms"

[devices.swing.registers]
enable = { address = 10, bit = 0 }
run = { address = 10, bit = 1 }
mode = 11
amplitude = { address = 12, type = "u32", word_order = "high_first", scale = 0.1 }
period = { address = 14, scale = 0.01 }
comm_loss_timeout = { address = 20, scale = 0.1 }
heartbeat = 21
comm_loss_action = 22
ready = { address = 30, table = "holding", bit = 0 }
running = { address = 30, table = "holding", bit = 1 }
fault = { address = 30, table = "holding", bit = 2 }
angle = { address = 31, table = "holding", type = "s16", scale = 0.1 }
measured_amplitude = { address = 32, table = "holding", scale = 0.1 }
fault_code = { address = 33, table = "holding" }

[devices.estop]
kind = "modbus_input"
role = "estop"
bus = "cabinet"
unit = 3
address = 0
active_low = true

[limits.swing]
max_amplitude_deg = 20
)";

class MappedRoom : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir.path() / "profiles"); }
  config::LoadResult load(const std::string& text) {
    std::ofstream(dir.path() / "room.toml") << text;
    return config::load_room(dir.path() / "room.toml");
  }
  test::TempDir dir;
};

TEST_F(MappedRoom, TheDocumentedDriveIsAcceptedExactlyAsWritten) {
  auto result = load(kMappedRoom);
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const auto* drive = result.room->find_device("swing")->as<config::SwingDrive>();
  ASSERT_NE(drive, nullptr);
  const auto& map = drive->registers;
  ASSERT_NE(map.find("run"), nullptr);
  EXPECT_EQ(map.find("run")->mask, 0x0002);
  EXPECT_EQ(map.find("amplitude")->type, config::ValueType::u32);
  EXPECT_EQ(map.find("amplitude")->table, config::RegisterTable::holding);
  EXPECT_DOUBLE_EQ(map.find("period")->scale, 0.01);
  EXPECT_EQ(map.find("fault")->table, config::RegisterTable::holding);
  EXPECT_EQ(map.find("heartbeat")->address, 21);
  EXPECT_EQ(map.find("angle")->type, config::ValueType::s16);
}

struct BadMapCase {
  const char* name;
  const char* find;     // text of kMappedRoom to replace
  const char* replace;  // its replacement
  const char* message;  // part of the message
  const char* at;       // text whose line the error names (default: the replacement's)
};

class BadMap : public MappedRoom, public ::testing::WithParamInterface<BadMapCase> {};

int line_of(const std::string& text, std::size_t at) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

TEST_P(BadMap, NamesFileLineAndWhatToChange) {
  const BadMapCase& c = GetParam();
  std::string text = kMappedRoom;
  auto at = text.find(c.find);
  ASSERT_NE(at, std::string::npos) << c.find;
  text.replace(at, std::string(c.find).size(), c.replace);
  int line = line_of(text, c.at != nullptr ? text.find(c.at) : at);
  auto result = load(text);
  ASSERT_FALSE(result.room.has_value());
  std::string all;
  const config::Diagnostic* found = nullptr;
  for (const auto& error : result.diagnostics.errors) {
    all += "\n  " + error.to_string();
    if (found == nullptr && error.message.find(c.message) != std::string::npos) found = &error;
  }
  ASSERT_NE(found, nullptr) << "no error mentions '" << c.message << "':" << all;
  EXPECT_EQ(std::filesystem::path(found->file).filename(), "room.toml");
  EXPECT_EQ(found->line, line) << found->to_string();
  EXPECT_GT(found->column, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, BadMap,
    ::testing::Values(
        BadMapCase{"bit_of_32_bit", "run = { address = 10, bit = 1 }",
                   "run = { address = 10, bit = 1, type = \"u32\" }", "a bit of a 32-bit value",
                   nullptr},
        BadMapCase{"overlap", "mode = 11", "mode = 13", "overlap at holding 13", "amplitude = {"},
        BadMapCase{"overlapping_bits", "run = { address = 10, bit = 1 }",
                   "run = { address = 10, bit = 0 }", "'enable' and 'run'", nullptr},
        BadMapCase{"word_order_of_16_bit", "type = \"u32\", word_order", "word_order",
                   "32-bit values only", nullptr},
        BadMapCase{"scale_too_fine",
                   "amplitude = { address = 12, type = \"u32\", word_order = "
                   "\"high_first\", scale = 0.1 }",
                   "amplitude = { address = 12, scale = 0.0001 }",
                   "cannot carry the room's limits.swing.max_amplitude_deg = 20 deg", nullptr},
        BadMapCase{"watchdog_too_coarse", "comm_loss_timeout = { address = 20, scale = 0.1 }",
                   "comm_loss_timeout = { address = 20, scale = 1 }",
                   "switches most drives' watchdog off", nullptr},
        BadMapCase{"written_to_input", "mode = 11", "mode = { address = 11, table = \"input\" }",
                   "read-only", nullptr},
        BadMapCase{"unknown_long_key", "heartbeat = 21", "heartbeat = { address = 21, sacle = 1 }",
                   "unknown key 'sacle'", nullptr},
        BadMapCase{"no_stop",
                   "enable = { address = 10, bit = 0 }\nrun = { address = 10, bit = 1 }\n", "",
                   "no way to stop the drive", "[devices.swing.registers]"},
        BadMapCase{"no_watchdog", "comm_loss_action = 22\n", "",
                   "missing register 'comm_loss_action'", "[devices.swing.registers]"},
        BadMapCase{"status_twice", "heartbeat = 21", "heartbeat = 21\nstatus = 30",
                   "keep status or the named bits", "ready ="},
        BadMapCase{"on_outside_bit", "run = { address = 10, bit = 1 }",
                   "run = { address = 10, bit = 1, on = 2 }", "use a value from 0 to 1", nullptr},
        BadMapCase{"no_estop", "role = \"estop\"", "role = \"door\"", "no E-stop input (S20)",
                   "[devices.swing]\n"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(MappedRoom, AMissingEStopIsAcceptedOnlyWithAReasonAndThenWarned) {
  std::string text = kMappedRoom;
  text.replace(text.find("role = \"estop\""), 14, "role = \"door\"");
  text +=
      "\n[limits.devices]\nestop_required = false\n"
      "estop_required_reason = \"the swing is a demonstration model with no seat\"\n";
  auto result = load(text);
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  ASSERT_FALSE(result.diagnostics.warnings.empty());
  EXPECT_NE(result.diagnostics.warnings.front().message.find("demonstration model"),
            std::string::npos);
  ASSERT_FALSE(result.room->limits.loosened.empty());
  EXPECT_EQ(result.room->limits.loosened.front().key, "limits.devices.estop_required");
}

// The drive of the issue on a fake bus, behind the real gate: what it writes is what the
// manual's units say.
class MappedDrive : public MappedRoom {
 protected:
  void SetUp() override {
    MappedRoom::SetUp();
    auto result = load(kMappedRoom);
    ASSERT_TRUE(result.room);
    config = *result.room->find_device("swing")->as<config::SwingDrive>();
  }
  void start() {
    auto owned = std::make_unique<devices::SwingDrive>("swing", config, bus);
    drive = owned.get();
    drive->attach();
    config::Limits limits;
    limits.swing.max_amplitude_deg = 20.0;
    limits.swing.max_amplitude_rate_deg_s = 30.0;  // the ramp is not what is tested here
    supervisor = std::make_unique<SafetySupervisor>(limits, std::move(owned));
    bus.holding[{1, 10}] = 1U << 5;  // the drive's own "remote" bit, set at power-up
    bus.link(true);
    bus.deliver();
    bus.poll();
  }
  void run_for(std::chrono::milliseconds span, const SwingTarget& target) {
    for (auto end = t + span; t < end;) {
      t += 20ms;
      supervisor->update(target, t);
      bus.deliver();
      bus.poll();
    }
  }
  std::uint16_t reg(std::uint16_t address) { return bus.holding[{1, address}]; }

  config::SwingDrive config;
  test::FakeBus bus;
  devices::SwingDrive* drive = nullptr;
  std::unique_ptr<SafetySupervisor> supervisor;
  SafetySupervisor::Clock::time_point t{std::chrono::hours(1)};
};

TEST_F(MappedDrive, AMapWithoutAKeyTheDriveNeedsIsRefusedWhenTheDriveIsBuiltNamingTheKey) {
  // A room built in code skips the loader's check: the drive itself refuses to run without a
  // key it reads or writes for safety, instead of reading 0 or false in its place.
  for (std::string key : {"measured_amplitude", "comm_loss_timeout", "comm_loss_action", "running",
                          "fault", "angle"}) {
    config::SwingDrive without = config;
    auto& registers = without.registers.registers;
    registers.erase(std::remove_if(registers.begin(), registers.end(),
                                   [&](const auto& named) { return named.key == key; }),
                    registers.end());
    ASSERT_EQ(without.registers.find(key), nullptr) << key;
    try {
      devices::SwingDrive built("swing", without, bus);
      ADD_FAILURE() << "a drive without '" << key << "' was built";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string{e.what()}.find("'" + key + "'"), std::string::npos) << e.what();
    }
  }
}

TEST_F(MappedDrive, AMapWithoutAnyStopSwitchIsRefusedWhenTheDriveIsBuilt) {
  config::SwingDrive without = config;
  auto& registers = without.registers.registers;
  registers.erase(std::remove_if(registers.begin(), registers.end(),
                                 [](const auto& named) {
                                   return named.key == "control" || named.key == "enable" ||
                                          named.key == "run";
                                 }),
                  registers.end());
  EXPECT_THROW(devices::SwingDrive("swing", without, bus), std::invalid_argument);
}

TEST(SwingKeys, EveryKeyHasItsOwnNameAndIsFoundByIt) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < config::kSwingKeyCount; ++i) {
    auto key = static_cast<config::SwingKey>(i);
    std::string_view name = config::name_of(key);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(config::swing_key_named(name), key) << name;
    EXPECT_NE(config::find_key(config::swing_keys(), name), nullptr) << name;
  }
  EXPECT_EQ(config::swing_keys().size(), config::kSwingKeyCount);
  EXPECT_FALSE(config::swing_key_named("measured_amplitud"));
}

TEST_F(MappedDrive, SetsTheWatchdogInTheDrivesUnitAndConfirmsItInMilliseconds) {
  start();
  EXPECT_EQ(reg(20), 5);  // 500 ms in 0.1 s
  EXPECT_EQ(reg(22), 1);
  EXPECT_TRUE(drive->watchdog_confirmed());
}

TEST_F(MappedDrive, AWatchdogThatReadsBackOtherwiseKeepsMotionRefused) {
  bus.ignored.insert({1, 20});  // the drive keeps its old timeout
  start();
  EXPECT_FALSE(drive->watchdog_confirmed());
}

TEST_F(MappedDrive, RunsThroughTheControlWordsBitsAndKeepsTheOthers) {
  start();
  bus.holding[{1, 30}] = 0x0001;  // ready
  ASSERT_TRUE(supervisor->motion_allowed()) << supervisor->motion_refusal();
  run_for(2s, SwingTarget{config::SwingMode::linear, 12.34, 3.001});
  EXPECT_EQ(reg(10), (1U << 5) | 0x3);  // enable and run on, "remote" kept
  EXPECT_EQ(reg(12), 0);                // 12.3 deg, u32 high word first
  EXPECT_EQ(reg(13), 123);              // rounded down: never past the gate's value
  EXPECT_EQ(reg(14), 301);              // 3.01 s: rounded up, never a shorter period
  EXPECT_EQ(reg(11), 1);                // linear
  drive->hold_stop();                   // as a safety input's reflex does, from the bus thread
  bus.deliver();
  EXPECT_EQ(reg(10), 1U << 5);  // both bits off in one write, "remote" kept
  supervisor->update(SwingTarget{config::SwingMode::linear, 12.34, 3.001}, t + 20ms);
  bus.deliver();
  EXPECT_EQ(reg(10), 1U << 5);  // nothing re-enables it while it is held
}

TEST_F(MappedDrive, ReadsItsStatusBitsAndSignedAngleFromHoldingRegisters) {
  start();
  bus.holding[{1, 30}] = 0x0002;                            // running
  bus.holding[{1, 31}] = static_cast<std::uint16_t>(-123);  // -12.3 deg
  bus.holding[{1, 32}] = 150;                               // 15 deg
  bus.poll();
  EXPECT_TRUE(drive->reading().valid);
  EXPECT_TRUE(drive->reading().running);
  EXPECT_FALSE(drive->reading().ready);
  EXPECT_DOUBLE_EQ(drive->reading().angle_deg, -12.3);
  EXPECT_DOUBLE_EQ(drive->reading().amplitude_deg, 15.0);
  bus.holding[{1, 30}] = 0x0004;
  bus.holding[{1, 33}] = 42;
  bus.poll();
  EXPECT_EQ(drive->health(), devices::Health::fault);
  EXPECT_EQ(drive->reading().fault_code, 42);
}

TEST_F(MappedDrive, APersistentSetupIsWrittenOnlyWhenTheDriveHoldsAnotherValue) {
  config::RegisterSpec source;
  source.address = 100;
  source.persistent = true;
  config.setup.push_back({"command source: Modbus", source, 2.0});
  bus.holding[{1, 100}] = 2;  // already set, in EEPROM
  start();
  EXPECT_TRUE(drive->watchdog_confirmed());
  for (const auto& w : bus.writes) EXPECT_NE(w.address, 100) << "EEPROM written needlessly";
  bus.holding[{1, 100}] = 0;  // replaced drive: factory setting
  bus.link(false);
  bus.link(true);
  bus.deliver();
  bus.deliver();
  EXPECT_EQ(reg(100), 2);
  EXPECT_TRUE(drive->watchdog_confirmed());
}

}  // namespace
}  // namespace sensoryd
