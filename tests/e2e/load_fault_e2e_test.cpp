// End to end, safety under load (docs/safety.md S19): a flood of MQTT messages, a clinical log
// whose disk stalls, a flood of refusals and a live retained command, on the real processes.
// Every timing bound is checked on what the drive received (the simulator's recording), and
// every event the tablet was told must be in the clinical log.
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr double kPollS = 0.020;            // the E-stop contact's poll period
constexpr double kHeartbeatBoundS = 0.145;  // comm-loss timeout 500 ms / 4 + 20 ms

RoomOptions load_room() {
  RoomOptions options;
  options.max_amplitude_deg = 12.0;
  options.profiles = {{"calm.toml", short_profile("calm", 8.0, "120s")}};
  return options;
}

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A second client on the room's broker that floods, as a misbehaving device would. It listens
// to another room, so that the flood does not come back to it.
Tablet flooder(SimulatedRoom& room) {
  return Tablet(room.broker_port(), "elsewhere");
}

void start_swinging(SimulatedRoom& room) {
  ASSERT_EQ((room.tablet().reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));
}

// Every event the tablet was told is a record in the clinical log: nothing acknowledged is lost.
void expect_every_event_logged(SimulatedRoom& room) {
  auto log = room.session_log();
  int events = 0;
  for (const auto& m : room.tablet().messages()) {
    if (m.topic != "sensoryd/" + room.options().room_id + "/events") continue;
    auto event = json::parse(m.payload);
    if (event.value("type", "") == "session_log_failed") continue;  // about the log itself
    ++events;
    EXPECT_NE(std::find(log.begin(), log.end(), event), log.end())
        << "told the tablet but not in the log: " << m.payload;
  }
  EXPECT_GT(events, 0);
}

// The E-stop press and the first stop write after it, in the recording.
double press_to_stop_s(const std::vector<json>& recording) {
  auto pressed = input_event(recording, 3, 0);
  if (!pressed) {
    ADD_FAILURE() << "the recording shows no E-stop press";
    return 1e9;
  }
  auto after = control_writes_after(recording, (*pressed)["t"].get<double>());
  if (after.empty() || after.front()["value"] != 0) {
    ADD_FAILURE() << "no stop write after the E-stop press";
    return 1e9;
  }
  return after.front()["t"].get<double>() - (*pressed)["t"].get<double>();
}

void expect_no_device_lost(SimulatedRoom& room) {
  EXPECT_FALSE(first_event(room.recording(), "comm_loss_stop"))
      << "the drive's own comm-loss watchdog stopped the swing";
  for (const auto& record : room.session_log()) {
    if (record.value("type", "") != "interlock_tripped") continue;
    std::string cause = record.value("cause", "");
    EXPECT_TRUE(cause != "device_lost" && cause != "safety_input_stale") << record.dump();
  }
}

// S3, S5, S6 and S18 held from `from` to `to` (wall clock), on the recording and the log: the
// press stopped within a poll + 10 ms, the heartbeat never paused longer than it may, no device
// was lost, and nothing the tablet was told is missing from the clinical log.
void expect_safety_held(SimulatedRoom& room, double from, double to) {
  auto recording = room.recording();
  double latency = press_to_stop_s(recording);
  EXPECT_LE(latency, kPollS + 0.010) << "E-stop to stop write took " << latency * 1000 << " ms";
  double gap = longest_gap(recording, "heartbeat", from, to);
  EXPECT_LE(gap, kHeartbeatBoundS) << "the heartbeat stopped for " << gap * 1000 << " ms";
  expect_no_device_lost(room);
  expect_every_event_logged(room);
}

TEST(LoadFault, AnEStopPressedDuringAFloodStopsTheDriveWithinAPollAndTheHeartbeatHolds) {
  SimulatedRoom room(load_room());
  room.start_all();
  start_swinging(room);
  std::vector<std::string> flood;
  for (int i = 0; i < 5000; ++i) flood.push_back(R"({"request_id":"f)" + std::to_string(i) + "\"}");
  double from = wall_now();
  // The E-stop is pressed a third of the way into the flood, from the flooding thread itself.
  flooder(room).publish_burst("sensoryd/room-e2e/cmd/lease", flood, [&](std::size_t i) {
    if (i == flood.size() / 3) room.press_estop();
  });
  ASSERT_TRUE(room.tablet().wait_for_session_state("idle", 10s)) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  // A command after the flood is answered: the daemon kept up and is still in charge.
  auto reply = room.tablet().command("stop", json::object(), 10s);
  ASSERT_TRUE(reply);
  double to = wall_now();
  expect_safety_held(room, from, to);
}

TEST(LoadFault, AStalledLogDelaysNoStopAndNoHeartbeatAndTellsNothingBeforeItIsOnDisk) {
  SimulatedRoom room(load_room());
  auto flag = room.dir() / "disk-stalled";
  room.start_all(stalling_disk_env(flag));
  start_swinging(room);
  std::ofstream(flag).put('x');  // from now on every fdatasync waits
  double from = wall_now();
  room.press_estop();
  // The safety state is not held behind the disk...
  ASSERT_TRUE(wait_until(
      [&] {
        auto safety = room.tablet().latest_json("safety");
        return safety && safety->value("tripped", false);
      },
      5s));
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  // ...and the drive is fed meanwhile: a dozen heartbeats (1.5 s) while the disk still holds.
  ASSERT_TRUE(wait_until(
      [&] {
        int beats = 0;
        for (const auto& w : writes_to(room.recording(), "heartbeat")) beats += w["t"] > from;
        return beats >= 12;
      },
      10s));
  double to = wall_now();
  // The trip's event speaks of a record not yet on disk: it has not been sent.
  for (const auto& m : room.tablet().messages()) {
    if (m.topic != "sensoryd/room-e2e/events") continue;
    EXPECT_EQ(m.payload.find("interlock_tripped"), std::string::npos)
        << "an event went out before its record was on disk: " << m.payload;
  }
  std::filesystem::remove(flag);  // the disk comes back
  ASSERT_TRUE(room.tablet().wait_for(
      [](const SeenMessage& m) {
        return m.topic == "sensoryd/room-e2e/events" &&
               m.payload.find("interlock_tripped") != std::string::npos;
      },
      10s));
  expect_safety_held(room, from, to);
}

TEST(LoadFault, AFloodOfBadCommandsIsRecordedAtABoundedRateWithACountOfTheRest) {
  SimulatedRoom room(load_room());
  room.start_all();
  std::vector<std::string> flood(3000, "{not json");
  auto started = std::chrono::steady_clock::now();
  flooder(room).publish_burst("sensoryd/room-e2e/cmd/start", flood);
  // Every message is either a refusal in the log or in a recorded count of those left out.
  auto accounted = [&](int& records, std::int64_t& unrecorded) {
    records = 0;
    unrecorded = 0;
    for (const auto& record : room.session_log()) {
      if (record.value("type", "") == "command_refused") ++records;
      if (record.value("type", "") == "command_refusals_unrecorded") {
        unrecorded += record.value("count", std::int64_t{0});
      }
    }
    return records + unrecorded;
  };
  int records = 0;
  std::int64_t unrecorded = 0;
  ASSERT_TRUE(wait_until([&] { return accounted(records, unrecorded) >= 3000; }, 20s))
      << records << " refusals recorded and " << unrecorded << " counted, of 3000";
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(records + unrecorded, 3000);
  EXPECT_LE(records, 20 + 10 * (seconds + 1)) << "refusals are recorded at most 10 a second";
  EXPECT_GT(unrecorded, 0);
  // Still in charge: a command after the flood gets its own answer.
  auto reply = room.tablet().command("reset", json::object(), 10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["error"]["code"], "not_allowed_in_state") << reply->dump();
  expect_every_event_logged(room);
}

TEST(LoadFault, AStartPublishedRetainedWhileConnectedIsRefusedAndNeverActedOn) {
  SimulatedRoom room(load_room());
  room.start_all();
  room.tablet().publish("sensoryd/room-e2e/cmd/start", R"({"request_id":"r1","profile":"calm"})",
                        true);
  auto answer = room.tablet().wait_for(
      [](const SeenMessage& m) {
        return m.topic == "sensoryd/room-e2e/reply" &&
               m.payload.find("\"r1\"") != std::string::npos;
      },
      5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(json::parse(answer->payload)["error"]["code"], "retained_command");
  room.tablet().publish("sensoryd/room-e2e/cmd/start", "", true);  // clear it from the broker
  // A later command is answered, so the retained one had every chance to be acted on.
  ASSERT_TRUE(room.tablet().command("stop", json::object()));
  EXPECT_EQ(room.tablet().latest_json("session")->value("state", ""), "idle");
  for (const auto& write : writes_to(room.recording(), "control")) EXPECT_EQ(write["value"], 0);
}

}  // namespace
}  // namespace sensoryd::test
