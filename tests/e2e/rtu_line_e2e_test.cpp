// End to end, Modbus RTU over a serial line against a Modbus implementation not written here:
// sensoryd at 19200 8E1 on one end of a socat pty pair, pymodbus on the other serving the swing
// drive (unit 1) and the E-stop and door modules (units 3 and 4), each from its template's
// register map (tests/rtu/rtu_devices.py). Every assertion about the equipment reads what the
// pymodbus end received (its recording) or holds (its registers). docs/hardware.md.

#include <gtest/gtest.h>

#include "tests/e2e/estop_and_kill.hpp"
#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

RoomOptions rtu_room() {
  RoomOptions options;
  options.rtu = true;
  options.rtu_pymodbus = true;
  options.comm_loss_timeout_ms = 400;
  options.profiles = {{"calm.toml", short_profile("calm", 8.0, "120s")}};
  return options;
}

bool health_is(Tablet& tablet, const std::string& device, const std::string& health,
               std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto d = tablet.latest_json("devices/" + device);
        return d && d->value("health", "") == health;
      },
      timeout);
}

bool tripped_by(Tablet& tablet, const std::string& cause) {
  auto safety = tablet.latest_json("safety");
  if (!safety || !safety->value("tripped", false)) return false;
  for (const auto& c : (*safety)["causes"]) {
    if (c.value("cause", "") == cause) return true;
  }
  return false;
}

// The drive's own stop (its watchdog) writes nothing on the line: ask the drive.
bool seat_at_rest(const SimulatedRoom& room, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto swing = room.read_swing();
        return swing && swing->amplitude_deg == 0.0;
      },
      timeout);
}

// A register of the drive as the pymodbus end holds it.
int held(const SimulatedRoom& room, const std::string& name) {
  std::string answer = room.control("holding " + name);
  if (answer.rfind("ok ", 0) != 0) ADD_FAILURE() << answer;
  return answer.rfind("ok ", 0) == 0 ? std::stoi(answer.substr(3)) : -1;
}

TEST(RtuLine, ASessionMovesAPymodbusDriveTheEStopStopsItAndAKillLeavesItToItsWatchdog) {
  SimulatedRoom room(rtu_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(health_is(tablet, "estop", "online", 20s)) << room.daemon_log();

  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 20s)) << room.daemon_log();
  // The setpoints and the watchdog's set-up crossed the line and are held by the drive.
  EXPECT_EQ(held(room, "control"), 1);
  EXPECT_EQ(held(room, "mode"), 1);
  EXPECT_GE(held(room, "amplitude"), 40);
  EXPECT_EQ(held(room, "comm_loss_timeout"), 400);
  EXPECT_EQ(held(room, "comm_loss_action"), 1);
  // The heartbeat reaches the drive at least every quarter of its timeout.
  auto beats = writes_to(room.recording(), "heartbeat");
  ASSERT_GE(beats.size(), 10u);
  double t_first = beats.front()["t"];
  double t_last = beats.back()["t"];
  EXPECT_LE(longest_gap(room.recording(), "heartbeat", t_first, t_last), 0.200);

  // The E-stop module's contact on the same line as the drive, then sensoryd killed.
  estop_then_kill(room, 400);
  if (HasFatalFailure()) return;
  EXPECT_EQ(held(room, "control"), 0);
  ASSERT_TRUE(seat_at_rest(room, 20s));
}

TEST(RtuLine, APulledAdapterTripsTheRoomAndPutBackTheBusReturnsWithTheTripStillLatched) {
  SimulatedRoom room(rtu_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 20s)) << room.daemon_log();

  room.unplug_serial();
  ASSERT_TRUE(wait_until([&] { return tripped_by(tablet, "device_lost"); }, 5s))
      << room.daemon_log();
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 5s));
  ASSERT_TRUE(health_is(tablet, "swing", "lost", 5s));
  ASSERT_TRUE(health_is(tablet, "estop", "lost", 5s));
  // Nothing reaches the drive now: its own watchdog stops the seat.
  ASSERT_TRUE(
      wait_until([&] { return first_event(room.recording(), "comm_loss_stop").has_value(); }, 5s));
  ASSERT_TRUE(seat_at_rest(room, 20s));
  EXPECT_TRUE(room.daemon().running());
  // The log names the port and what happened to it.
  EXPECT_NE(room.daemon_log().find((room.dir() / "ttyRoom").string()), std::string::npos)
      << room.daemon_log();

  room.plug_serial();
  ASSERT_TRUE(health_is(tablet, "swing", "online", 20s)) << room.daemon_log();
  ASSERT_TRUE(health_is(tablet, "estop", "online", 20s)) << room.daemon_log();
  // Back without a restart, but latched: no motion until the therapist resets.
  EXPECT_TRUE(tripped_by(tablet, "device_lost"));
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "paused");
  EXPECT_EQ((tablet.reply_to("resume", json::object()))["error"]["code"], "interlock_active");
  EXPECT_EQ(held(room, "control"), 0);
  ASSERT_EQ((tablet.reply_to("reset", {{"therapist", "ana"}}))["ok"], true);
  ASSERT_EQ((tablet.reply_to("resume", json::object()))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 20s)) << room.daemon_log();
}

}  // namespace
}  // namespace sensoryd::test
