// Light and sound safety end to end, checked on what the simulated lights and players
// recorded: the flash limit for the room (S9), the child's sound cap and the slew (S11, S15),
// and the safe scene with a mute within 1 s on an E-stop (S3).
#include <algorithm>

#include <gtest/gtest.h>

#include "tests/e2e/scene_recording.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Transitions of several fixtures as changes of the room's light: changes recorded within one
// control tick and a Modbus/MQTT delivery of each other are one change.
std::vector<double> room_transitions(std::vector<std::vector<LevelSample>> fixtures) {
  std::vector<double> all;
  for (const auto& levels : fixtures) {
    auto times = transition_times(levels);
    all.insert(all.end(), times.begin(), times.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<double> merged;
  for (double t : all) {
    if (merged.empty() || t - merged.back() > 0.03) merged.push_back(t);
  }
  return merged;
}

bool has_event(Tablet& tablet, const std::string& type, const std::string& needle) {
  for (const auto& m : tablet.messages()) {
    if (m.topic.ends_with("/events") && m.payload.find("\"" + type + "\"") != std::string::npos &&
        m.payload.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(SceneSafety, TwoFixturesStrobingOutOfStepAreHeldToThreeFlashesASecondForTheRoom) {
  RoomOptions options;
  options.scene = true;
  // Each strobe alone is within the limit (about 3 and 2 flashes a second), so the profile
  // loads; together, out of step, the room would flash about 5 times a second.
  options.profiles = {{"blink.toml", R"(id = "blink"
title = "Blink"
purpose = "alerting"
allow_strobe = true
[[steps]]
name = "blink"
duration = "20s"
lights = [
  { fixtures = ["tube"], color = "white", brightness = "100%", effect = "strobe", effect_period = "340ms" },
  { fixtures = ["ceiling"], color = "white", brightness = "100%", effect = "strobe", effect_period = "500ms" },
]
)"}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "blink"}});
  ASSERT_TRUE(started) << room.daemon_log();
  ASSERT_EQ((*started)["ok"], true) << started->dump();
  // Six seconds of strobing, as the recordings tell.
  auto strobed_for = [&](double seconds) {
    auto tube = modbus_light_levels(room.recording(), 2);
    auto ceiling = mqtt_light_levels(room.mqtt_recording(), "sim/ceiling");
    return tube.size() > 2 && ceiling.size() > 2 && tube.back().t_s - tube.front().t_s >= seconds &&
           ceiling.back().t_s - ceiling.front().t_s >= seconds;
  };
  ASSERT_TRUE(wait_until([&] { return strobed_for(6.0); }, 15s)) << room.daemon_log();
  ASSERT_EQ((tablet.reply_to("stop", json::object()))["ok"], true);

  auto tube = modbus_light_levels(room.recording(), 2);
  auto ceiling = mqtt_light_levels(room.mqtt_recording(), "sim/ceiling");
  EXPECT_LE(max_flashes_in_window(transition_times(tube)), 3);
  EXPECT_LE(max_flashes_in_window(transition_times(ceiling)), 3);
  EXPECT_LE(max_flashes_in_window(room_transitions({tube, ceiling})), 3);
  // Limited, not frozen: both fixtures still blinked, and the limit said so.
  EXPECT_GE(transition_times(tube).size(), 6u);
  EXPECT_GE(transition_times(ceiling).size(), 6u);
  EXPECT_TRUE(has_event(tablet, "limit_clamped", "\"flash\""));
}

TEST(SceneSafety, SoundAboveTheChildsCapStaysAtOrBelowItOnBothPlayersAndRisesSlowly) {
  RoomOptions options;
  options.scene = true;
  options.extra_room_toml = "[children.c-1]\nmax_dba = 60\n";
  options.profiles = {{"loud.toml", R"(id = "loud"
title = "Loud"
purpose = "alerting"
[[steps]]
name = "music"
duration = "60s"
sound = { source = "drums", level = "72dB" }
)"}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "loud"}, {"child", "c-1"}});
  ASSERT_TRUE(started) << room.daemon_log();
  ASSERT_EQ((*started)["ok"], true) << started->dump();
  auto loudest = [](const std::vector<SoundSample>& levels) {
    double most = 0.0;
    for (const auto& s : levels) most = std::max(most, s.dba);
    return most;
  };
  // From the floor (20 dBA) at 6 dB/s, the cap is reached in about 7 s.
  ASSERT_TRUE(wait_until(
      [&] {
        return loudest(mqtt_player_levels(room.mqtt_recording(), "sim/player")) >= 59.0 &&
               loudest(amplifier_levels(room.recording(), 5)) >= 59.0;
      },
      20s))
      << room.daemon_log();
  auto player = mqtt_player_levels(room.mqtt_recording(), "sim/player");
  auto amp = amplifier_levels(room.recording(), 5);
  EXPECT_LE(loudest(player), 60.0);
  EXPECT_LE(loudest(amp), 60.0);
  // 6 dB/s, with a tenth of a second allowed for delivery jitter between daemon and recording.
  EXPECT_LE(max_rise(player), 6.6);
  EXPECT_LE(max_rise(amp), 6.6);
  EXPECT_TRUE(has_event(tablet, "limit_clamped", "\"by\":\"child\""));
}

TEST(SceneSafety, AnEStopSendsTheSafeSceneAndMutesWithinOneSecond) {
  RoomOptions options;
  options.scene = true;
  options.profiles = {{"show.toml", R"(id = "show"
title = "Show"
purpose = "alerting"
[[steps]]
name = "show"
duration = "60s"
lights = { fixtures = ["tube", "ceiling"], color = "blue", brightness = "80%" }
sound = { source = "rain", level = "50dB" }
)"}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "show"}});
  ASSERT_TRUE(started) << room.daemon_log();
  ASSERT_EQ((*started)["ok"], true) << started->dump();
  auto playing = [&] {
    auto player = mqtt_player_levels(room.mqtt_recording(), "sim/player");
    auto amp = amplifier_levels(room.recording(), 5);
    return !player.empty() && player.back().dba >= 49.0 && !amp.empty() && amp.back().dba >= 49.0;
  };
  ASSERT_TRUE(wait_until(playing, 15s)) << room.daemon_log();

  room.press_estop();
  double pressed_at = 0.0;
  for (const auto& line : room.recording()) {
    if (line.value("type", "") == "control" &&
        line.value("command", "").find("input 0 0") != std::string::npos) {
      pressed_at = line.value("t", 0.0);
    }
  }
  ASSERT_GT(pressed_at, 0.0);
  auto silent = [&] {
    auto player = mqtt_player_levels(room.mqtt_recording(), "sim/player");
    auto amp = amplifier_levels(room.recording(), 5);
    return player.back().dba == 0.0 && amp.back().dba == 0.0;
  };
  ASSERT_TRUE(wait_until(silent, 5s));
  // Silent within the 1 s fade, plus one poll, one tick and one MQTT command interval.
  auto player = mqtt_player_levels(room.mqtt_recording(), "sim/player");
  auto amp = amplifier_levels(room.recording(), 5);
  EXPECT_LE(player.back().t_s - pressed_at, 1.0 + 0.2);
  EXPECT_LE(amp.back().t_s - pressed_at, 1.0 + 0.2);
  // It faded rather than cut: something quieter but not silent was sent in between.
  bool faded = std::any_of(player.begin(), player.end(), [&](const SoundSample& s) {
    return s.t_s > pressed_at && s.dba > 0.0 && s.dba < 49.0;
  });
  EXPECT_TRUE(faded);
  // The lights show the safe scene: warm white at 20%.
  ASSERT_TRUE(wait_until(
      [&] {
        auto tube = modbus_light_levels(room.recording(), 2);
        auto ceiling = mqtt_light_levels(room.mqtt_recording(), "sim/ceiling");
        auto safe = level_of(255, 176, 96, 20.0);
        return !tube.empty() && !ceiling.empty() && std::abs(tube.back().level - safe) < 0.5 &&
               std::abs(ceiling.back().level - safe) < 0.5;
      },
      5s));
  EXPECT_TRUE(wait_until(
      [&] {
        auto ceiling = tablet.latest_json("devices/ceiling");
        return ceiling && ceiling->value("color", "") == "#ffb060";
      },
      5s));
}

}  // namespace
}  // namespace sensoryd::test
