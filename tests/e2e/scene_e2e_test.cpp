// Lights, sound and a child's button over MQTT both ways, end to end: what the simulated
// devices received, what they reported back, and their health as their availability changes.
#include <signal.h>

#include <algorithm>
#include <cstdio>

#include <gtest/gtest.h>

#include "test_paths.hpp"
#include "tests/e2e/scene_recording.hpp"
#include "tests/support/process.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::optional<json> last_message(const std::vector<json>& recording, const std::string& device) {
  for (auto it = recording.rbegin(); it != recording.rend(); ++it) {
    if (it->value("type", "") == "message" && it->value("device", "") == device) {
      return (*it)["payload"];
    }
  }
  return std::nullopt;
}

std::size_t messages_to(const std::vector<json>& recording, const std::string& device) {
  std::size_t count = 0;
  for (const auto& line : recording) {
    if (line.value("type", "") == "message" && line.value("device", "") == device) ++count;
  }
  return count;
}

constexpr const char* kPlayProfile = R"(id = "play"
title = "Button play"
purpose = "play"
[[steps]]
name = "play"
duration = "60s"
lights = { fixtures = ["ceiling", "tube"], color = "#0000ff", brightness = "60%" }
sound = { source = "rain", level = "45dB" }

[[triggers]]
input = "button"
mode = "timed"
duration = "3s"
lights = { fixtures = ["ceiling"], color = "#ff00ff", brightness = "90%" }
)";

// The scene room (every light and sound kind, a big button) with the button-play profile.
RoomOptions play_room() {
  RoomOptions options;
  options.scene = true;
  options.profiles = {{"play.toml", kPlayProfile}};
  return options;
}

TEST(Scene, ALightASoundAndAButtonCrossMqttBothWays) {
  SimulatedRoom room(play_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "play"}, {"therapist", "ana"}});
  ASSERT_TRUE(started) << room.daemon_log();
  ASSERT_EQ((*started)["ok"], true) << started->dump();

  // Out: the light and the player get their commands.
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = last_message(room.mqtt_recording(), "sim/ceiling");
        auto player = last_message(room.mqtt_recording(), "sim/player");
        return light && light->value("brightness", 0) == 152 &&
               light->value("color", json::object()).value("hex", "") == "#0000ff" && player &&
               player->value("state", "") == "play" && player->value("source", "") == "rain";
      },
      10s))
      << "ceiling: " << last_message(room.mqtt_recording(), "sim/ceiling").value_or(json()).dump()
      << "\nplayer: " << last_message(room.mqtt_recording(), "sim/player").value_or(json()).dump();
  // Back: what the devices report is on their retained device topics.
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = tablet.latest_json("devices/ceiling");
        auto player = tablet.latest_json("devices/player");
        return light && light->contains("reported") &&
               std::abs((*light)["reported"].value("brightness_pct", 0.0) - 59.8) < 0.5 && player &&
               player->contains("reported") && (*player)["reported"].value("playing", false);
      },
      5s));
  EXPECT_EQ(tablet.latest_json("devices/ceiling")->value("health", ""), "online");

  // A press of the child's button applies the trigger's light, and says so.
  ASSERT_EQ(room.mqtt_control("press sim/button").rfind("ok", 0), 0u);
  EXPECT_TRUE(tablet.wait_for(
      [](const SeenMessage& m) {
        return m.topic.ends_with("/events") &&
               m.payload.find("\"trigger_applied\"") != std::string::npos;
      },
      5s));
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = last_message(room.mqtt_recording(), "sim/ceiling");
        return light && light->value("color", json::object()).value("hex", "") == "#ff00ff" &&
               light->value("brightness", 0) == 229;
      },
      5s));
  // The trigger is timed: three seconds later the step's light is back.
  EXPECT_TRUE(tablet.wait_for(
      [](const SeenMessage& m) {
        return m.topic.ends_with("/events") &&
               m.payload.find("\"trigger_ended\"") != std::string::npos;
      },
      6s));
  // The session log has both, for the clinical record.
  auto log = room.session_log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const json& r) {
    return r.value("type", "") == "trigger_applied" && r.value("input", "") == "button";
  }));
}

TEST(Scene, ALightThatGoesOfflineIsLostAndGetsItsCommandAgainWhenBack) {
  SimulatedRoom room(play_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = tablet.latest_json("devices/ceiling");
        return light && light->value("health", "") == "online";
      },
      5s));
  auto started = tablet.command("start", {{"profile", "play"}});
  ASSERT_TRUE(started && (*started)["ok"] == true) << room.daemon_log();
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = last_message(room.mqtt_recording(), "sim/ceiling");
        return light && light->value("brightness", 0) == 152;
      },
      10s));

  std::string offline_answer = room.mqtt_control("offline sim/ceiling");
  ASSERT_EQ(offline_answer.rfind("ok", 0), 0u) << offline_answer;
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = tablet.latest_json("devices/ceiling");
        return light && light->value("health", "") == "lost";
      },
      5s));
  EXPECT_NE(tablet.latest_json("devices/ceiling")->value("detail", "").find("offline"),
            std::string::npos);
  // A light is not a drive: the session goes on.
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "running");

  std::size_t before = messages_to(room.mqtt_recording(), "sim/ceiling");
  std::string online_answer = room.mqtt_control("online sim/ceiling");
  ASSERT_EQ(online_answer.rfind("ok", 0), 0u) << online_answer;
  ASSERT_TRUE(wait_until(
      [&] {
        auto light = tablet.latest_json("devices/ceiling");
        return light && light->value("health", "") == "online";
      },
      5s));
  // Back online, it is told again what to show.
  EXPECT_TRUE(
      wait_until([&] { return messages_to(room.mqtt_recording(), "sim/ceiling") > before; }, 5s));
  EXPECT_EQ(last_message(room.mqtt_recording(), "sim/ceiling")->value("brightness", 0), 152);
}

// Starts the button-play profile; true once the player has been told to play, audibly.
bool start_playing(SimulatedRoom& room) {
  if (room.tablet().reply_to("start", {{"profile", "play"}})["ok"] != true) return false;
  return wait_until(
      [&] {
        auto player = last_message(room.mqtt_recording(), "sim/player");
        return player && player->value("state", "") == "play" && player->value("volume", 0) > 0;
      },
      15s);
}

TEST(Scene, ASigtermLeavesNoSoundPlaying) {
  SimulatedRoom room(play_room());
  room.start_all();
  ASSERT_TRUE(start_playing(room)) << room.daemon_log();
  room.daemon().signal(SIGTERM);
  ASSERT_TRUE(room.daemon().wait_exit(20s));
  // A player keeps playing after sensoryd exits: the last thing it was told must be silence.
  auto player = last_message(room.mqtt_recording(), "sim/player");
  ASSERT_TRUE(player);
  EXPECT_EQ(player->value("state", ""), "stop") << player->dump();
  auto amp = amplifier_levels(room.recording(), 5);
  ASSERT_FALSE(amp.empty());
  EXPECT_EQ(amp.back().dba, 0.0);
}

TEST(Scene, AKilledSensorydLeavesTheRoomQuietOnceTheUnitsStopPostHasRun) {
  SimulatedRoom room(play_room());
  room.start_all();
  ASSERT_TRUE(start_playing(room)) << room.daemon_log();
  ASSERT_TRUE(wait_until(
      [&] {
        auto amp = amplifier_levels(room.recording(), 5);
        return !amp.empty() && amp.back().dba > 0.0;
      },
      10s));
  // A kill leaves no time for a wind-down: what the equipment holds is what it was last told.
  double killed_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(5s));
  ASSERT_EQ(last_message(room.mqtt_recording(), "sim/player")->value("state", ""), "play");

  // What systemd runs then (ExecStopPost=), with the same configuration.
  ChildProcess quiet({SENSORYD_BIN, "--quiet-room", "--config", room.room_file().string()},
                     room.dir() / "quiet-room.log");
  auto code = quiet.wait_exit(10s);
  ASSERT_TRUE(code) << quiet.log_text();
  EXPECT_EQ(*code, 0) << quiet.log_text();

  // Within 2 s of the kill: every player silent, every light at the safe scene (warm white at
  // 20%), as the recordings of what the equipment received show.
  auto player = mqtt_player_levels(room.mqtt_recording(), "sim/player");
  ASSERT_FALSE(player.empty());
  EXPECT_EQ(player.back().dba, 0.0);
  EXPECT_LE(player.back().t_s - killed_at, 2.0);
  auto amp = amplifier_levels(room.recording(), 5);
  ASSERT_FALSE(amp.empty());
  EXPECT_EQ(amp.back().dba, 0.0);
  EXPECT_LE(amp.back().t_s - killed_at, 2.0);
  auto ceiling = last_message(room.mqtt_recording(), "sim/ceiling");
  ASSERT_TRUE(ceiling);
  auto ceiling_levels = mqtt_light_levels(room.mqtt_recording(), "sim/ceiling");
  EXPECT_LE(ceiling_levels.back().t_s - killed_at, 2.0);
  EXPECT_EQ(ceiling->value("brightness", 0), 51) << ceiling->dump();  // 20% of 254, rounded
  auto tube = modbus_light_levels(room.recording(), 2);
  ASSERT_FALSE(tube.empty());
  EXPECT_LE(tube.back().t_s - killed_at, 2.0);
  EXPECT_NEAR(tube.back().level, ceiling_levels.back().level, 1.0) << "both at the safe scene";
  double last =
      std::max({player.back().t_s, amp.back().t_s, ceiling_levels.back().t_s, tube.back().t_s});
  std::printf("quiet room: the last safe command %.0f ms after the kill\n",
              (last - killed_at) * 1000.0);
}

// A simulated MQTT device's state as the simulator holds it (its `status` line), e.g.
// {"state":"play",...} for "player sim/player".
json device_state(SimulatedRoom& room, const std::string& kind_and_topic) {
  std::string status = room.mqtt_control("status");
  auto at = status.find(kind_and_topic + " ");
  if (at == std::string::npos) return json();
  // Each device is "<kind> <topic> online|offline <state JSON>", devices joined by " | ".
  auto open = status.find('{', at);
  auto end = status.find(" | ", open);
  return json::parse(status.substr(open, end == std::string::npos ? end : end - open), nullptr,
                     false);
}

json player_state(SimulatedRoom& room) {
  return device_state(room, "player sim/player");
}

// A player that misses the E-stop's mutes is told again until it is silent; muted, one that
// starts playing by itself is muted again (docs/safety.md S11).
TEST(Scene, APlayerThatMissesTheMuteIsToldAgainUntilSilentAndMutedAgainWhenItPlaysByItself) {
  SimulatedRoom room(play_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(start_playing(room)) << room.daemon_log();
  // The E-stop's mutes are missed (it sends silence more than once as the session ends).
  ASSERT_EQ(room.mqtt_control("ignore sim/player 3").rfind("ok", 0), 0u);
  ASSERT_EQ(tablet.reply_to("estop", json::object())["ok"], true);
  ASSERT_TRUE(wait_until([&] { return player_state(room).value("state", "") == "stop"; }, 10s))
      << player_state(room).dump() << room.daemon_log();
  int mutes = 0;
  for (const auto& line : room.mqtt_recording()) {
    if (line.value("type", "") == "message" && line.value("device", "") == "sim/player" &&
        line["payload"].value("state", "") == "stop") {
      ++mutes;
    }
  }
  EXPECT_GE(mutes, 4) << "the missed mutes and the one sent again";
  // Muted, it starts playing loud by itself (its own buttons): it is muted again.
  ASSERT_EQ(
      room.mqtt_control("report sim/player {\"state\":\"play\",\"volume\":100}").rfind("ok", 0),
      0u);
  ASSERT_TRUE(wait_until([&] { return player_state(room).value("state", "") == "stop"; }, 10s))
      << player_state(room).dump();
}

// A light turned up by itself (at the lamp, or by the equipment account on the broker) while the
// safe scene holds is told the safe scene again (docs/safety.md S9, S11).
TEST(Scene, ALightTurnedUpDuringTheSafeSceneIsToldTheSafeSceneAgain) {
  SimulatedRoom room(play_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(start_playing(room)) << room.daemon_log();
  ASSERT_EQ(tablet.reply_to("estop", json::object())["ok"], true);
  auto ceiling = [&] { return device_state(room, "light sim/ceiling"); };
  // The safe scene: warm white at 20% (51 of 254).
  ASSERT_TRUE(wait_until([&] { return ceiling().value("brightness", -1) == 51; }, 10s))
      << ceiling().dump() << room.daemon_log();
  ASSERT_EQ(
      room.mqtt_control(R"(report sim/ceiling {"state":"ON","brightness":254})").rfind("ok", 0),
      0u);
  EXPECT_EQ(ceiling().value("brightness", -1), 254);
  ASSERT_TRUE(wait_until([&] { return ceiling().value("brightness", -1) == 51; }, 10s))
      << ceiling().dump() << room.daemon_log();
}

}  // namespace
}  // namespace sensoryd::test
