// End to end, S21: the daily E-stop and door checks on the real processes. A due check refuses
// a start; a guided press and release passes it, with the stop write on what the drive received;
// the pass is in the clinical log and survives a restart.
#include <csignal>
#include <string>

#include <gtest/gtest.h>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

RoomOptions checked_room() {
  RoomOptions options;
  options.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
  options.checks_limits_toml = "estop_interval = \"24h\"\ndoor_interval = \"24h\"\n";
  return options;
}

// The check of `input` as `safety` shows it now.
std::optional<json> check_of(Tablet& tablet, const std::string& input) {
  auto safety = tablet.latest_json("safety");
  if (!safety) return std::nullopt;
  for (const auto& check : (*safety)["checks"]) {
    if (check["input"] == input) return check;
  }
  return std::nullopt;
}

bool stage_is(Tablet& tablet, const std::string& input, const std::string& stage) {
  auto check = check_of(tablet, input);
  return check && (*check)["stage"] == stage;
}

bool passed(Tablet& tablet, const std::string& input) {
  auto check = check_of(tablet, input);
  return check && (*check)["due"] == false && !(*check)["last"].is_null();
}

TEST(FunctionalChecksE2E, ADueCheckRefusesAStartUntilAGuidedPressAndReleasePassIt) {
  SimulatedRoom room(checked_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "estop", "ready"); }, 10s))
      << room.daemon_log();

  json refused = tablet.reply_to("start", {{"profile", "calm"}});
  EXPECT_EQ(refused["ok"], false);
  EXPECT_EQ(refused["error"]["code"], "check_due");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("E-stop 'estop'"),
            std::string::npos)
      << refused;

  // A check asked for while the E-stop is pressed cannot pass: it must see the press.
  room.press_estop();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "estop", "stop_written"); }, 5s));
  room.release_estop();
  ASSERT_TRUE(wait_until([&] { return passed(tablet, "estop"); }, 5s));  // in ordinary use
  EXPECT_TRUE((*check_of(tablet, "estop"))["last"]["by"].is_null());
  ASSERT_EQ(tablet.reply_to("reset", json::object())["ok"], true);

  // The guided check: the therapist asks, presses, the stop reaches the drive, she releases.
  json asked = tablet.reply_to("check", {{"input", "estop"}, {"therapist", "ana"}});
  ASSERT_EQ(asked["ok"], true) << asked;
  ASSERT_TRUE(wait_until(
      [&] {
        auto check = check_of(tablet, "estop");
        return check && (*check)["guided_by"] == "ana";
      },
      5s));
  auto recording_before = room.recording().size();
  room.press_estop();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "estop", "stop_written"); }, 5s));
  auto recording = room.recording();
  // The last press's stop: a control write of 0 to the drive after it, on what it received.
  double t_press = 0;
  for (std::size_t i = recording_before; i < recording.size(); ++i) {
    const auto& r = recording[i];
    if (r.value("event", "") == "input" && r.value("unit", 0) == 3 && r.value("value", -1) == 0) {
      t_press = r["t"];
    }
  }
  ASSERT_GT(t_press, 0.0) << "the press is not on the recording";
  auto after = control_writes_after(recording, t_press);
  ASSERT_FALSE(after.empty()) << "no stop was written after the press";
  EXPECT_EQ(after.front()["value"], 0);
  room.release_estop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto check = check_of(tablet, "estop");
        return check && (*check)["last"]["by"] == "ana";
      },
      5s));
  double measured = (*check_of(tablet, "estop"))["last"]["press_to_stop_ms"];
  EXPECT_GE(measured, 0.0);
  EXPECT_LT(measured, 1000.0);
  ASSERT_EQ(tablet.reply_to("reset", json::object())["ok"], true);

  // Still refused: the door is due. Opened and closed, the start goes.
  refused = tablet.reply_to("start", {{"profile", "calm"}});
  EXPECT_EQ(refused["error"]["code"], "check_due");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("door 'door'"), std::string::npos);
  room.open_door();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "door", "stop_written"); }, 5s));
  room.close_door();
  ASSERT_TRUE(wait_until([&] { return passed(tablet, "door"); }, 5s));
  ASSERT_TRUE(
      wait_until([&] { return !tablet.latest_json("safety")->value("tripped", true); }, 5s));
  json started = tablet.reply_to("start", {{"profile", "calm"}});
  EXPECT_EQ(started["ok"], true) << started;

  // In the clinical log, with who and the measured time.
  int guided = 0;
  for (const auto& r : room.session_log()) {
    if (r.value("type", "") != "safety_check_passed") continue;
    if (r.value("by", "") == "ana") {
      ++guided;
      EXPECT_EQ(r["input"], "estop");
      EXPECT_EQ(r["guided"], true);
      EXPECT_EQ(r["press_to_stop_ms"], measured);
    }
  }
  EXPECT_EQ(guided, 1);
}

TEST(FunctionalChecksE2E, APassedCheckSurvivesARestart) {
  SimulatedRoom room(checked_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "door", "ready"); }, 10s));
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "estop", "ready"); }, 10s));
  room.open_door();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "door", "stop_written"); }, 5s));
  room.close_door();
  room.press_estop();
  ASSERT_TRUE(wait_until([&] { return stage_is(tablet, "estop", "stop_written"); }, 5s));
  room.release_estop();
  ASSERT_TRUE(wait_until([&] { return passed(tablet, "estop") && passed(tablet, "door"); }, 5s));

  room.daemon().signal(SIGTERM);
  ASSERT_TRUE(room.daemon().wait_exit(20s));
  std::size_t before = tablet.messages().size();
  room.start_daemon();
  ASSERT_TRUE(tablet.wait_for(
      [](const SeenMessage& m) {
        return m.topic == "sensoryd/room-e2e/availability" && m.payload == "online";
      },
      20s, before))
      << room.daemon_log();
  EXPECT_TRUE(passed(tablet, "estop"));
  EXPECT_TRUE(passed(tablet, "door"));
  // The E-stop press latched a trip before the restart; a restart starts with none latched.
  json started = tablet.reply_to("start", {{"profile", "calm"}}, 10s);
  EXPECT_EQ(started["ok"], true) << started << room.daemon_log();
}

}  // namespace
}  // namespace sensoryd::test
