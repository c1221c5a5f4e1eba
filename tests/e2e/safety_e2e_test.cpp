// End to end, safety: E-stop input and command, reset, door, lost drive and supervision lease,
// on the real processes; every assertion about motion reads the simulator's recording.
#include <string>

#include <gtest/gtest.h>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

RoomOptions swing_room() {
  RoomOptions options;
  options.max_amplitude_deg = 12.0;
  options.max_amplitude_rate_deg_s = 3.0;
  options.profiles = {{"calm.toml", short_profile("calm", 8.0, "120s")}};
  return options;
}

bool has_cause(const json& safety, const std::string& cause) {
  for (const auto& c : safety["causes"]) {
    if (c["cause"] == cause) return true;
  }
  return false;
}

bool logged(const std::vector<json>& log, const std::string& type, const std::string& key,
            const std::string& value) {
  for (const auto& record : log) {
    if (record.value("type", "") == type && record.value(key, "") == value) return true;
  }
  return false;
}

TEST(SafetyE2E, AnEStopPressMidSwingStopsTheDriveWithinAPollAndResetDoesNotRestart) {
  SimulatedRoom room(swing_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));

  room.press_estop();
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 5s)) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  auto recording = room.recording();
  auto pressed = input_event(recording, 3, 0);
  ASSERT_TRUE(pressed);
  double t_press = (*pressed)["t"];
  auto after = control_writes_after(recording, t_press);
  ASSERT_FALSE(after.empty()) << "no stop was written after the E-stop press";
  EXPECT_EQ(after.front()["value"], 0);
  double latency = after.front()["t"].get<double>() - t_press;
  // S3: one safety poll (20 ms) + 10 ms, measured on what the drive received.
  EXPECT_LE(latency, 0.030) << "E-stop to stop write took " << latency * 1000 << " ms";

  ASSERT_TRUE(wait_until(
      [&] {
        auto s = tablet.latest_json("safety");
        return s && s->value("tripped", false);
      },
      5s));
  auto safety = *tablet.latest_json("safety");
  EXPECT_EQ(safety["tripped"], true);
  EXPECT_EQ(safety["motion_allowed"], false);
  EXPECT_TRUE(has_cause(safety, "estop_input")) << safety.dump();
  EXPECT_EQ(safety["reset_possible"], false);

  // Reset while the E-stop is still pressed: refused, and a start is refused too.
  auto refused = tablet.command("reset", json::object());
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["error"]["code"], "interlock_active") << refused->dump();
  auto start = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(start) << "no reply";
  EXPECT_EQ((*start)["error"]["code"], "interlock_active") << start->dump();

  room.release_estop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = tablet.latest_json("safety");
        return s && s->value("reset_possible", false);
      },
      5s));
  auto reset = tablet.command("reset", {{"therapist", "ana"}});
  ASSERT_TRUE(reset);
  EXPECT_EQ((*reset)["ok"], true) << reset->dump();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = tablet.latest_json("safety");
        return s && s->value("motion_allowed", false) && !s->value("tripped", true);
      },
      5s));
  // Reset never restarts anything: watch the drive's writes for the next second (eight
  // heartbeats at a quarter of the 500 ms comm-loss timeout).
  double t_reset = room.recording().back()["t"];
  auto beats = writes_to(room.recording(), "heartbeat").size();
  ASSERT_TRUE(wait_until(
      [&] { return writes_to(room.recording(), "heartbeat").size() >= beats + 8; }, 10s));
  for (const auto& write : control_writes_after(room.recording(), t_reset)) {
    EXPECT_EQ(write["value"], 0) << "motion after reset: " << write.dump();
  }
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "idle");

  auto log = room.session_log();
  EXPECT_TRUE(logged(log, "interlock_tripped", "cause", "estop_input"));
  EXPECT_TRUE(logged(log, "session_ended", "reason", "estop"));
  EXPECT_TRUE(logged(log, "interlock_reset", "cause", "estop_input"));
  EXPECT_TRUE(logged(log, "command_refused", "code", "interlock_active"));
}

TEST(SafetyE2E, TheEStopCommandStopsTheSwingAndANewStartNeedsAReset) {
  SimulatedRoom room(swing_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));
  auto reply = tablet.command("estop", {{"therapist", "ana"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], true) << reply->dump();
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 5s));
  EXPECT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["error"]["code"], "interlock_active");
  EXPECT_EQ((tablet.reply_to("reset", json::object()))["ok"], true);
  EXPECT_EQ((tablet.reply_to("reset", json::object()))["error"]["code"], "not_allowed_in_state");
  auto again = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(again) << "no reply";
  EXPECT_EQ((*again)["ok"], true) << again->dump();
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 10s));
}

TEST(SafetyE2E, AnOpenDoorPausesMotionAndClosingItDoesNotResumeByItself) {
  SimulatedRoom room(swing_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));

  room.open_door();
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 5s)) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  auto refused = tablet.command("resume", json::object());
  ASSERT_TRUE(refused) << "no reply";
  EXPECT_EQ((*refused)["error"]["code"], "interlock_active") << refused->dump();
  EXPECT_NE((*refused)["error"]["message"].get<std::string>().find("door"), std::string::npos);

  room.close_door();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = tablet.latest_json("safety");
        return s && s->value("motion_allowed", false);
      },
      5s));
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "paused");
  EXPECT_FALSE(tablet.latest_json("safety")->value("tripped", true));  // a door does not latch
  auto resumed = tablet.command("resume", json::object());
  ASSERT_TRUE(resumed) << "no reply";
  EXPECT_EQ((*resumed)["ok"], true) << resumed->dump();
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 15s));
  EXPECT_TRUE(logged(room.session_log(), "session_paused", "reason", "door_open"));
}

TEST(SafetyE2E, ALostDriveStopsMotionAndItsReturnDoesNotResumeTheSession) {
  SimulatedRoom room(swing_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));

  auto health_is = [&](const std::string& device, const std::string& health) {
    return wait_until(
        [&] {
          auto d = tablet.latest_json("devices/" + device);
          return d && d->value("health", "") == health;
        },
        10s);
  };
  EXPECT_EQ(room.control("unit 1 dead").substr(0, 2), "ok");
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 5s)) << room.daemon_log();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = tablet.latest_json("safety");
        return s && has_cause(*s, "device_lost");
      },
      5s));
  // Device states go out at most once a second: wait for the lost one, so that the "online"
  // below is the drive's return and not its state from before.
  ASSERT_TRUE(health_is("swing", "lost"));
  EXPECT_EQ(room.control("unit 1 alive").substr(0, 2), "ok");
  ASSERT_TRUE(health_is("swing", "online"));
  // Back, but still paused and latched: no motion without the therapist.
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "paused");
  EXPECT_EQ((tablet.reply_to("resume", json::object()))["error"]["code"], "interlock_active");
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  // The E-stop unit shares the bus; with the drive back it is read again. (While the drive did
  // not answer, the bus reconnected and the E-stop could go stale: a latched trip, the safe way.)
  EXPECT_TRUE(health_is("estop", "online")) << room.daemon_log();

  EXPECT_EQ((tablet.reply_to("reset", json::object()))["ok"], true);
  EXPECT_EQ((tablet.reply_to("resume", json::object()))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 15s));
}

TEST(SafetyE2E, WhenTheLeaseLapsesMotionWindsDownAndTheSessionPauses) {
  RoomOptions options = swing_room();
  options.session_limits_toml = "lease = \"3s\"\n";
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  // Renewed at each session update (about once a second) for twice the lease.
  std::size_t renewals = 0;
  while (tablet.latest_json("session")->value("elapsed_s", 0.0) < 6.0) {
    auto since = std::chrono::steady_clock::now();
    ASSERT_TRUE(tablet.wait_for(
        [&](const SeenMessage& m) { return m.topic.ends_with("/session") && m.at > since; }, 5s));
    ASSERT_EQ((tablet.reply_to("lease", json::object()))["ok"], true);
    ++renewals;
    ASSERT_LT(renewals, 30u) << "the session's time does not pass";
    ASSERT_EQ(tablet.latest_json("session")->value("state", ""), "running");
  }
  EXPECT_GE(renewals, 4u);
  ASSERT_TRUE(room.wait_for_swing_amplitude(6.0, 5s));  // still swinging: the lease held

  // Nobody renews now: within the lease the session pauses and the swing winds down.
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 6s)) << room.daemon_log();
  EXPECT_TRUE(wait_until(
      [&] {
        auto safety = tablet.latest_json("safety");
        return safety && has_cause(*safety, "lease_lapsed");
      },
      5s))
      << tablet.latest_json("safety")->dump();
  ASSERT_TRUE(room.wait_for_swing_at_rest(20s));
  // A wind-down, not a trip: the amplitude was ramped down before the drive was disabled.
  auto recording = room.recording();
  auto amplitudes = writes_to(recording, "amplitude");
  auto stops = control_writes_after(recording, 0.0);
  ASSERT_FALSE(stops.empty());
  EXPECT_EQ(stops.back()["value"], 0);
  ASSERT_FALSE(amplitudes.empty());
  int previous = 0;
  for (const auto& write : amplitudes) {
    int value = write["value"];
    EXPECT_LE(std::abs(value - previous), 10) << write.dump();
    previous = value;
  }
  EXPECT_EQ(amplitudes.back()["value"], 0);
  EXPECT_LE(amplitudes.back()["t"].get<double>(), stops.back()["t"].get<double>());
  EXPECT_TRUE(logged(room.session_log(), "session_paused", "reason", "lease_lapsed"));
}

}  // namespace
}  // namespace sensoryd::test
