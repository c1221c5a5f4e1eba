// Fault: the Modbus link itself misbehaves, injected through the simulator's control port.
// Device health must follow (online -> lost -> online), the bus must reconnect by itself, and
// nothing may move again without a therapist.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string health(Tablet& tablet, const std::string& device) {
  auto d = tablet.latest_json("devices/" + device);
  return d ? d->value("health", "") : "";
}

bool wait_health(Tablet& tablet, const std::string& device, const std::string& wanted,
                 std::chrono::milliseconds timeout) {
  return wait_until([&] { return health(tablet, device) == wanted; }, timeout);
}

RoomOptions room_options() {
  RoomOptions o;
  o.profiles = {{"calm.toml", short_profile("calm", 6.0, "120s")}};
  return o;
}

TEST(BusFault, ADroppedConnectionIsReconnectedAndTheSessionWaitsForTheTherapist) {
  SimulatedRoom room(room_options());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 10s));

  EXPECT_EQ(room.control("drop").substr(0, 2), "ok");
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 5s)) << room.daemon_log();
  // Reconnected by itself (first retry after 0.5 s), every device back online.
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 10s)) << room.daemon_log();
  ASSERT_TRUE(wait_health(tablet, "estop", "online", 10s));
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "paused");
  EXPECT_EQ((tablet.reply_to("resume", json::object()))["error"]["code"], "interlock_active");
  EXPECT_EQ((tablet.reply_to("reset", json::object()))["ok"], true);
  EXPECT_EQ((tablet.reply_to("resume", json::object()))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(1.0, 15s));
}

TEST(BusFault, RefusedConnectionsMakeEveryDeviceLostUntilTheSimulatorListensAgain) {
  SimulatedRoom room(room_options());
  room.start_all();
  Tablet& tablet = room.tablet();
  EXPECT_EQ(room.control("refuse on").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "swing", "lost", 5s));
  ASSERT_TRUE(wait_health(tablet, "door", "lost", 5s));
  auto refused = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(refused) << "no reply";
  EXPECT_FALSE((*refused)["ok"].get<bool>()) << refused->dump();
  EXPECT_EQ(room.control("refuse off").substr(0, 2), "ok");
  // Backoff grows from 0.5 s towards 10 s: the link comes back within one backoff step.
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 15s)) << room.daemon_log();
  ASSERT_TRUE(wait_health(tablet, "door", "online", 5s));
  // The losses latched (S5): a start needs a reset first, then works.
  EXPECT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["error"]["code"], "interlock_active")
      << room.daemon_log();
  EXPECT_EQ((tablet.reply_to("reset", json::object()))["ok"], true);
  EXPECT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
}

TEST(BusFault, ADeadAmplifierIsIsolatedAndTheEStopAndDoorOnItsBusStayFreshWithNoTrip) {
  // The amplifier (unit 5) shares the cabinet's bus with the drive (1), the E-stop (3) and the
  // door (4); every unit waits the bus's 200 ms for an answer.
  // The sound fades up for 20 s, so the amplifier is written to while it is dead.
  RoomOptions options;
  options.scene = true;
  options.profiles = {{"calm-sound.toml", R"(id = "calm-sound"
title = "Calm with sound"
purpose = "calming"

[[steps]]
name = "settle"
duration = "120s"
swing = { mode = "linear", amplitude_deg = 6, period = "4s" }
sound = { source = "rain", level = "60dB", fade = "20s" }
)"}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ(tablet.reply_to("start", {{"profile", "calm-sound"}})["ok"], true) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s)) << room.daemon_log();
  ASSERT_TRUE(wait_health(tablet, "amp", "online", 5s));

  EXPECT_EQ(room.control("unit 5 dead").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "amp", "lost", 10s)) << room.daemon_log();
  // Isolated: for the next 3 s (three tries of the amplifier among them), nothing trips, the
  // safety inputs stay online and the session runs on.
  auto trouble = [&] {
    auto safety = tablet.latest_json("safety");
    auto session = tablet.latest_json("session");
    return !safety || (*safety)["tripped"] == true || !safety->value("motion_allowed", false) ||
           health(tablet, "estop") != "online" || health(tablet, "door") != "online" || !session ||
           session->value("state", "") != "running";
  };
  EXPECT_FALSE(wait_until(trouble, 3s)) << tablet.latest_json("safety")->dump() << "\n"
                                        << room.daemon_log();
  std::string log = room.daemon_log();
  EXPECT_NE(log.find("unit 5 did not answer 2 requests in a row; isolated"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("no answer for"), std::string::npos) << "the bus was started afresh";
  EXPECT_EQ(log.find("no unit answers"), std::string::npos) << "the bus was started afresh";

  // The E-stop on the same bus still stops the drive.
  room.press_estop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto safety = tablet.latest_json("safety");
        return safety && (*safety)["tripped"] == true;
      },
      5s));
  room.release_estop();

  // Back: the amplifier answers a try and is online again.
  EXPECT_EQ(room.control("unit 5 alive").substr(0, 2), "ok");
  EXPECT_TRUE(wait_health(tablet, "amp", "online", 15s)) << room.daemon_log();
}

TEST(BusFault, SlowRepliesWithinTheTimeoutAreFineAndExceptionRepliesMakeADeviceLost) {
  SimulatedRoom room(room_options());
  room.start_all();
  Tablet& tablet = room.tablet();
  // 100 ms late, inside the 200 ms response timeout: still a valid answer.
  EXPECT_EQ(room.control("unit 4 delay 100").substr(0, 2), "ok");
  // Recorded (other writes may follow it in the recording at once: any line, not the last).
  ASSERT_TRUE(wait_until(
      [&] {
        auto recording = room.recording();
        return std::any_of(recording.begin(), recording.end(), [](const json& line) {
          return line.value("command", "") == "unit 4 delay 100";
        });
      },
      2s));
  EXPECT_FALSE(wait_until([&] { return health(tablet, "door") == "lost"; }, 1500ms));
  EXPECT_EQ(room.control("unit 4 delay 0").substr(0, 2), "ok");
  // Every request to the door's unit answered with exception 4 (server device failure).
  EXPECT_EQ(room.control("unit 4 exception 4").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "door", "lost", 5s));
  EXPECT_EQ(health(tablet, "swing"), "online");  // the other units are not held up
  auto safety = tablet.latest_json("safety");
  ASSERT_TRUE(wait_until(
      [&] {
        safety = tablet.latest_json("safety");
        return safety && !safety->value("motion_allowed", true);
      },
      5s));
  EXPECT_EQ(room.control("unit 4 alive").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "door", "online", 5s));
}

TEST(BusFault, AnswersLaterThanTheTimeoutPutTheLinkOutOfStepAndItStartsAfresh) {
  SimulatedRoom room(room_options());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 10s));
  // A gateway that stalls: the door's unit answers after the 200 ms timeout, so its late
  // answers arrive in place of the next requests' and the stream is out of step.
  EXPECT_EQ(room.control("unit 4 delay 300").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "door", "lost", 5s)) << room.daemon_log();
  // How the bus gets back in step depends on when each late answer lands: mostly answers out of
  // step (flushed; three in a row reconnect), under load timeouts (three reconnect). Which one
  // is ModbusBusWorker's unit tests' business; here: it recovers by itself either way.
  EXPECT_EQ(room.control("unit 4 delay 0").substr(0, 2), "ok");
  // Answers still in flight may put it out of step once more; then it stays in step, without a
  // restart: the therapist resets and a session runs.
  ASSERT_TRUE(wait_until(
      [&] {
        auto session = tablet.latest_json("session");
        auto swing = tablet.latest_json("devices/swing");
        std::string state = session ? session->value("state", "") : "";
        if (state == "running" && swing && swing->value("amplitude_deg", 0.0) >= 1.0) return true;
        if (health(tablet, "swing") != "online" || health(tablet, "door") != "online" ||
            health(tablet, "estop") != "online") {
          return false;
        }
        tablet.reply_to("reset", json::object());  // refused when nothing is latched: fine
        if (state == "idle") tablet.reply_to("start", {{"profile", "calm"}});
        if (state == "paused") tablet.reply_to("resume", json::object());
        return false;
      },
      20s))
      << room.daemon_log();
}

TEST(BusFault, ReadingsThatFreezeMidSwingStopTheSwingAndPauseTheSession) {
  SimulatedRoom room(room_options());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));  // frozen readings count from 3 deg
  EXPECT_EQ(room.control("unit 1 stuck on").substr(0, 2), "ok");
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 5s)) << room.daemon_log();
  auto swing = tablet.latest_json("devices/swing");
  ASSERT_TRUE(wait_until(
      [&] {
        swing = tablet.latest_json("devices/swing");
        return swing && swing->value("detail", "").find("frozen") != std::string::npos;
      },
      5s));
  EXPECT_EQ(room.control("unit 1 stuck off").substr(0, 2), "ok");
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 5s));
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "paused");
}

TEST(RtuBus, ASessionRunsOverASerialLineAndAPulledAdapterMakesTheDriveLost) {
  RoomOptions options = room_options();
  options.rtu = true;
  options.safety_inputs = false;  // the simulated serial line carries the drive alone
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 10s)) << room.daemon_log();
  ASSERT_EQ((tablet.reply_to("stop", json::object()))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_at_rest(20s));
  // Every write crossed the serial line: the watchdog set-up, the heartbeats, the setpoints.
  auto recording = room.recording();
  EXPECT_FALSE(writes_to(recording, "comm_loss_timeout").empty());
  EXPECT_GT(writes_to(recording, "heartbeat").size(), 10u);
  EXPECT_FALSE(writes_to(recording, "amplitude").empty());

  room.stop_swing();  // the adapter is pulled: the port goes away
  ASSERT_TRUE(wait_health(tablet, "swing", "lost", 5s)) << room.daemon_log();
  EXPECT_TRUE(room.daemon().running());
}

TEST(RtuBus, ASerialPortThatIsNotThereIsNamedAtStartAndTheOtherBusesWorkAsBefore) {
  RoomOptions options = room_options();
  options.extra_room_toml =
      "[buses.ceiling]\ntype = \"rtu\"\ndevice = \"/dev/serial/by-id/usb-absent-if00-port0\"\n\n"
      "[devices.ceiling-amp]\nkind = \"modbus_sound\"\nbus = \"ceiling\"\nunit = 5\n"
      "calibration = \"room\"\nregisters = { volume = 0, mute = 1, source = 2 }\n\n"
      "[calibrations.room]\npoints = [[0, 20.0], [100, 80.0]]\n";
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until(
      [&] {
        return room.daemon_log().find(
                   "bus ceiling: cannot connect to "
                   "/dev/serial/by-id/usb-absent-if00-port0: No such file or "
                   "directory (is the USB adapter plugged in?") != std::string::npos;
      },
      10s))
      << room.daemon_log();
  // The cabinet's bus is not held up: the drive and the safety inputs are online, and a
  // session moves the swing.
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 10s));
  ASSERT_TRUE(wait_health(tablet, "estop", "online", 10s));
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 10s));
  EXPECT_NE(health(tablet, "ceiling-amp"), "online");
}

TEST(RtuBus, AnswersGarbledAsAtAWrongBaudRateKeepTheDriveFromOnlineAndTheLogSaysWhy) {
  RoomOptions options = room_options();
  options.rtu = true;
  options.safety_inputs = false;
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 10s)) << room.daemon_log();
  EXPECT_EQ(room.control("unit 1 garble on").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "swing", "lost", 5s)) << room.daemon_log();
  ASSERT_TRUE(wait_until(
      [&] { return room.daemon_log().find("garbled (bad CRC)") != std::string::npos; }, 5s))
      << room.daemon_log();
  auto swing = tablet.latest_json("devices/swing");
  EXPECT_NE(swing->value("detail", "").find("garbled"), std::string::npos) << swing->dump();
  // Lost is a trip (device_lost), latched until reset: no session starts.
  EXPECT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["error"]["code"], "interlock_active");
  // The line put right: the drive answers again.
  EXPECT_EQ(room.control("unit 1 garble off").substr(0, 2), "ok");
  ASSERT_TRUE(wait_health(tablet, "swing", "online", 10s)) << room.daemon_log();
}

}  // namespace
}  // namespace sensoryd::test
