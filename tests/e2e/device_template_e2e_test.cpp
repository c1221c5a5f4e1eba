// Equipment by configuration only (config/templates/): sensoryd's swing controller, and a rotary
// platform on a VFD (other units, a bit-packed command word, the watchdog in 0.1 s, setup
// writes, no heartbeat), with the E-stop and the door on one 8-channel I/O module. Each drive
// runs a profile within the limits, stops on a safety input within S3's bound and by its own
// watchdog after sensoryd is killed, asserted in engineering units on the simulator's record of
// what the equipment received.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr const char* kIoModule = R"(
[devices.estop]
template = "io-module-8ch"
role = "estop"
bus = "cabinet"
unit = 3
address = 0
active_low = true

[devices.door]
template = "io-module-8ch"
role = "door"
bus = "cabinet"
unit = 3
address = 1
)";

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

RoomOptions swing_controller_room() {
  RoomOptions options;
  options.max_amplitude_deg = 12.0;
  options.equipment_toml = std::string(R"([devices.swing]
template = "swing-controller"
bus = "cabinet"
unit = 1
comm_loss_timeout = "400ms"
)") + kIoModule;
  options.profiles = {{"calm.toml", short_profile("calm", 10.0, "60s")}};
  return options;
}

constexpr double kGearRatio = 200.0;  // the VFD template's: motor Hz per platform rev/s

RoomOptions vfd_room() {
  RoomOptions options;
  options.drive_id = "platform";
  options.rotary = true;
  options.rotary_limits_toml = "max_rate_rev_s = 0.4\n";
  options.equipment_toml = std::string(R"([devices.platform]
template = "vfd-rotary-platform"
bus = "cabinet"
unit = 1
)") + kIoModule;
  options.profiles = {{"spin.toml", R"(id = "spin"
title = "Spin"
purpose = "calming"

[[steps]]
name = "spin"
duration = "20s"
fade = "1s"
swing = { mode = "rotary", speed_rev_s = 0.4 }
)"}};
  return options;
}

// The platform's measured speed, as sensoryd publishes it.
double platform_speed(Tablet& tablet) {
  auto device = tablet.latest_json("devices/platform");
  return device ? device->value("speed_rev_s", 0.0) : 0.0;
}

// The first write of `key` after the contact event (unit 3, `bit` to `value`) says the drive is
// to stop, within S3's bound: one safety poll (20 ms) + 10 ms, on what the drive received.
void expect_stopped_within_a_poll(const std::vector<json>& recording, int bit, int value,
                                  const std::string& key) {
  const json* event = nullptr;
  for (const auto& line : recording) {
    if (line.value("event", "") == "input" && line.value("unit", 0) == 3 &&
        line.value("bit", -1) == bit && line.value("value", -1) == value) {
      event = &line;
      break;
    }
  }
  ASSERT_NE(event, nullptr) << "the contact never changed";
  auto stops = writes_after(recording, key, (*event)["t"]);
  ASSERT_FALSE(stops.empty()) << "no stop was written after the contact changed";
  EXPECT_EQ(stops.front()["eng"], 0) << stops.front().dump();
  double latency = stops.front()["t"].get<double>() - (*event)["t"].get<double>();
  EXPECT_LE(latency, 0.030) << "contact to stop write took " << latency * 1000 << " ms";
}

TEST(DeviceTemplates, TheSwingControllerRunsWithinLimitsAndTheModulesEStopAndDoorStopIt) {
  SimulatedRoom room(swing_controller_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));
  room.press_estop();
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 5s)) << room.daemon_log();
  auto recording = room.recording();
  EXPECT_LE(largest_written(recording, "amplitude"), 10.0);  // the profile's, in degrees
  auto timeout = writes_to(recording, "comm_loss_timeout");
  ASSERT_FALSE(timeout.empty());
  EXPECT_DOUBLE_EQ(timeout.front()["eng"].get<double>(), 0.4);  // seconds
  expect_stopped_within_a_poll(recording, 0, 0, "control");     // DI1: the E-stop, pressed

  // Released and reset, a new session; then the door on DI2 of the same module opens.
  room.release_estop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto reset = tablet.command("reset", json::object());
        return reset && reset->value("ok", false);
      },
      5s));
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));
  room.control("unit 3 input 1 1");
  ASSERT_TRUE(wait_until(
      [&] {
        auto safety = tablet.latest_json("safety");
        return safety && !safety->value("motion_allowed", true);
      },
      5s));
  expect_stopped_within_a_poll(room.recording(), 1, 1, "control");
}

TEST(DeviceTemplates, TheSwingControllerStopsByItsOwnWatchdogWhenSensorydIsKilled) {
  SimulatedRoom room(swing_controller_room());
  room.start_all();
  ASSERT_EQ((room.tablet().reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));
  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(5s));
  ASSERT_TRUE(
      wait_until([&] { return first_event(room.recording(), "motion_stopped").has_value(); }, 10s))
      << "the swing kept moving after sensoryd died";
  auto recording = room.recording();
  auto trip = first_event(recording, "comm_loss_stop");
  ASSERT_TRUE(trip);
  double last_write = 0.0;
  for (const auto& line : recording) {
    if (line.value("type", "") == "write" && line["t"] <= (*trip)["t"]) last_write = line["t"];
  }
  double silence = (*trip)["t"].get<double>() - last_write;
  EXPECT_GE(silence, 0.400);
  EXPECT_LE(silence, 0.450) << "the drive stopped later than its comm-loss timeout";
}

TEST(DeviceTemplates, TheVfdPlatformSpinsWithinLimitsInItsOwnUnitsAndTheModulesEStopStopsIt) {
  SimulatedRoom room(vfd_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  auto recording = room.recording();
  // Set up at connect, in the drive's own units: Pr.09-03 in 0.1 s, Pr.00-21 from RS-485.
  auto timeout = writes_to(recording, "comm_loss_timeout");
  ASSERT_FALSE(timeout.empty());
  EXPECT_EQ(timeout.front()["value"], 5);
  EXPECT_DOUBLE_EQ(timeout.front()["eng"].get<double>(), 0.5);
  auto source = writes_to(recording, "setup:Pr.00-21 operation command from RS-485");
  ASSERT_FALSE(source.empty());
  EXPECT_EQ(source.front()["eng"], 2);

  ASSERT_EQ((tablet.reply_to("start", {{"profile", "spin"}}))["ok"], true);
  ASSERT_TRUE(wait_until([&] { return platform_speed(tablet) >= 0.2; }, 10s)) << room.daemon_log();
  room.press_estop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto safety = tablet.latest_json("safety");
        return safety && !safety->value("motion_allowed", true);
      },
      5s));
  recording = room.recording();
  // The speed setpoint is motor Hz: the room's 0.4 rev/s times the gear ratio, at most.
  double largest_hz = largest_written(recording, "speed");
  EXPECT_GT(largest_hz, 0.0);
  EXPECT_LE(largest_hz, 0.4 * kGearRatio);
  for (const auto& write : writes_to(recording, "run")) {
    // Only the run/stop bits change: the 2000H word holds 10b (run) or 01b (stop) in bits 1-0.
    int bits = write["value"].get<int>() & 0x3;
    EXPECT_TRUE(bits == 0x1 || bits == 0x2) << write.dump();
  }
  expect_stopped_within_a_poll(recording, 0, 0, "run");
  ASSERT_TRUE(wait_until([&] { return platform_speed(tablet) == 0.0; }, 10s));
}

TEST(DeviceTemplates, TheVfdPlatformStopsByItsOwnWatchdogWhenSensorydIsKilled) {
  SimulatedRoom room(vfd_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "spin"}}))["ok"], true);
  ASSERT_TRUE(wait_until([&] { return platform_speed(tablet) >= 0.2; }, 10s));
  double killed = wall_now();
  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(5s));
  ASSERT_TRUE(
      wait_until([&] { return first_event(room.recording(), "motion_stopped").has_value(); }, 15s))
      << "the platform kept turning after sensoryd died";
  auto trip = first_event(room.recording(), "comm_loss_stop");
  ASSERT_TRUE(trip);
  // No heartbeat register: the drive counts every request, and the last one came within a
  // poll (50 ms) before the kill.
  double after_kill = (*trip)["t"].get<double>() - killed;
  EXPECT_GE(after_kill, 0.500 - 0.060);
  EXPECT_LE(after_kill, 0.500 + 0.020) << "the drive stopped later than its comm-loss timeout";
}

}  // namespace
}  // namespace sensoryd::test
