// End to end: mosquitto, the swing simulator and sensoryd as processes; a tablet over MQTT.
#include <gtest/gtest.h>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

RoomOptions calm_room() {
  RoomOptions options;
  options.max_amplitude_deg = 12.0;
  options.min_period_s = 2.0;
  options.max_amplitude_rate_deg_s = 3.0;
  options.profiles = {{"calm.toml", short_profile("calm", 8.0, "60s")}};
  options.extra_room_toml =
      "[children.c-7]\nprofiles = [\"calm\"]\n\n"
      "[children.c-8]\nflags = [\"photosensitive\"]\nprofiles = []\n";
  options.profiles.push_back({"other.toml", short_profile("other", 5.0, "60s")});
  return options;
}

TEST(SessionE2E, StartMovesTheSwingWithinLimitsAndStopBringsItToRest) {
  SimulatedRoom room(calm_room());
  room.start_all();
  Tablet& tablet = room.tablet();

  auto reply = tablet.command("start", {{"profile", "calm"}, {"therapist", "ana"}});
  ASSERT_TRUE(reply) << room.daemon_log();
  EXPECT_EQ((*reply)["ok"], true) << reply->dump();
  std::string session_id = (*reply)["session_id"];
  EXPECT_NE(session_id.find("room-e2e"), std::string::npos);

  ASSERT_TRUE(tablet.wait_for_session_state("running", 5s));
  auto session = *tablet.latest_json("session");
  EXPECT_EQ(session["profile"], "calm");
  EXPECT_EQ(session["session_id"], session_id);
  EXPECT_EQ(session["therapist"], "ana");
  EXPECT_EQ(session["step"]["name"], "swing");

  // The swing really moves: the drive measures the profile's amplitude.
  ASSERT_TRUE(wait_until(
      [&] {
        auto swing = room.read_swing();
        return swing && swing->amplitude_deg >= 7.5 && swing->running();
      },
      10s))
      << room.daemon_log();

  reply = tablet.command("stop", json::object());
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], true) << reply->dump();
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 5s));

  // The drive was disabled and the swing came to rest.
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  auto swing = room.read_swing();
  ASSERT_TRUE(swing);
  EXPECT_EQ(swing->amplitude_deg, 0.0);
  EXPECT_FALSE(swing->running());

  auto recording = room.recording();
  auto amplitudes = writes_to(recording, "amplitude");
  ASSERT_GT(amplitudes.size(), 10u);
  int previous = 0;
  int peak = 0;
  for (const auto& write : amplitudes) {
    int value = write["value"];
    EXPECT_LE(value, 120) << "amplitude above the room's 12 deg limit: " << write.dump();
    // Ramped, never stepped: the profile's 8 deg never arrives in one write.
    EXPECT_LE(std::abs(value - previous), 10) << write.dump();
    previous = value;
    peak = std::max(peak, value);
  }
  EXPECT_GE(peak, 75);
  EXPECT_LE(peak, 80);
  for (const auto& write : writes_to(recording, "period")) {
    int value = write["value"];
    if (value != 0) {
      EXPECT_GE(value, 2000) << write.dump();
    }
  }
  auto controls = writes_to(recording, "control");
  ASSERT_FALSE(controls.empty());
  EXPECT_EQ(controls.back()["value"], 0);
  EXPECT_EQ(amplitudes.back()["value"], 0);
}

TEST(SessionE2E, ComesOnlineOnlyAfterRetainedStateAndAnswersEveryCommand) {
  SimulatedRoom room(calm_room());
  room.start_all();
  Tablet& tablet = room.tablet();

  // availability `online` came after the retained session and device state.
  auto messages = tablet.messages();
  auto index_of = [&](const std::string& suffix) {
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (messages[i].topic == "sensoryd/room-e2e/" + suffix) return static_cast<int>(i);
    }
    return -1;
  };
  int online = index_of("availability");
  ASSERT_GE(online, 0);
  EXPECT_GE(index_of("session"), 0);
  EXPECT_LT(index_of("session"), online);
  EXPECT_LT(index_of("devices/swing"), online);

  auto unknown = tablet.command("start", {{"profile", "no-such-profile"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ((*unknown)["error"]["code"], "unknown_profile");

  auto unknown_child = tablet.command("start", {{"profile", "calm"}, {"child", "c-99"}});
  ASSERT_TRUE(unknown_child);
  EXPECT_EQ((*unknown_child)["error"]["code"], "unknown_child");
  auto not_approved = tablet.command("start", {{"profile", "other"}, {"child", "c-7"}});
  ASSERT_TRUE(not_approved);
  EXPECT_EQ((*not_approved)["error"]["code"], "contraindicated");
  EXPECT_NE((*not_approved)["error"]["message"].get<std::string>().find("approved"),
            std::string::npos);

  auto not_running = tablet.command("stop", json::object());
  ASSERT_TRUE(not_running);
  EXPECT_EQ((*not_running)["error"]["code"], "not_allowed_in_state");

  auto stale = tablet.command("start", {{"profile", "calm"}, {"sent_at", 1'000'000'000'000LL}});
  ASSERT_TRUE(stale);
  EXPECT_EQ((*stale)["error"]["code"], "stale_command");

  // A payload that is not JSON at all: no request id to echo, so the reply carries "".
  tablet.publish("sensoryd/room-e2e/cmd/start", "{{{{ not json", false);
  auto bad = tablet.wait_for(
      [](const SeenMessage& m) {
        return m.topic == "sensoryd/room-e2e/reply" &&
               m.payload.find("bad_request") != std::string::npos;
      },
      5s);
  ASSERT_TRUE(bad);

  // MQTT 5 request/response: the reply goes to the response topic with the correlation data.
  tablet.subscribe("test/replies");
  tablet.publish_with_response_topic("sensoryd/room-e2e/cmd/stop", "{}", "test/replies", "c-42");
  auto answered =
      tablet.wait_for([](const SeenMessage& m) { return m.topic == "test/replies"; }, 5s);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->correlation_data, "c-42");
  EXPECT_NE(answered->payload.find("not_allowed_in_state"), std::string::npos);

  // None of it moved anything or stopped the daemon.
  EXPECT_TRUE(room.daemon().running());
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "idle");
  for (const auto& write : writes_to(room.recording(), "control")) EXPECT_EQ(write["value"], 0);
}

// sensoryd's own ceiling on what it keeps of a message (MqttLink::kMaxInboundBytes): a 4 MB
// note over a real broker and Paho is answered as too large, logged, and never kept or parsed.
TEST(SessionE2E, AMessageOverTheCeilingIsAnsweredAsTooLargeAndNotKept) {
  SimulatedRoom room(calm_room());
  room.start_all();
  Tablet tablet(room.broker_port(), "room-e2e");
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 10s)) << room.daemon_log();
  tablet.publish("sensoryd/room-e2e/cmd/note",
                 R"({"text":")" + std::string(4 * 1024 * 1024, 'a') + "\"}", false);
  auto refused = tablet.wait_for(
      [](const SeenMessage& m) {
        return m.topic == "sensoryd/room-e2e/reply" &&
               m.payload.find("larger than 16384 bytes") != std::string::npos;
      },
      10s);
  ASSERT_TRUE(refused) << room.daemon_log();
  EXPECT_NE(room.daemon_log().find("is over the 65536 byte ceiling; not kept"), std::string::npos)
      << room.daemon_log();
  EXPECT_TRUE(room.daemon().running());
}

TEST(SessionE2E, ARetainedStartLeftOnTheBrokerIsRefusedAndNeverActedOn) {
  SimulatedRoom room(calm_room());
  room.start_broker();
  room.start_swing();
  Tablet& tablet = room.tablet();
  tablet.publish("sensoryd/room-e2e/cmd/start", R"({"request_id":"old","profile":"calm"})", true);
  room.start_daemon();
  ASSERT_TRUE(wait_until([&] { return tablet.latest("availability") == "online"; }, 10s));
  // A later command is answered, so the retained one had its chance to be handled first.
  auto reply = tablet.command("stop", json::object());
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["error"]["code"], "not_allowed_in_state");
  int refusals = 0;
  for (const auto& m : tablet.messages()) {
    if (m.topic != "sensoryd/room-e2e/reply") continue;
    auto answer = json::parse(m.payload);
    if (answer.value("request_id", "") != "old") continue;
    ++refusals;
    EXPECT_EQ(answer["error"]["code"], "retained_command");
  }
  EXPECT_EQ(refusals, 1);
  for (const auto& write : writes_to(room.recording(), "control")) EXPECT_EQ(write["value"], 0);
  // sensoryd cleared it: a tablet connecting now is handed no retained command. (A marker it
  // publishes after subscribing comes after everything retained the broker hands it.)
  Tablet later(room.broker_port(), "room-e2e");
  later.publish("sensoryd/room-e2e/test-marker", "after", false);
  ASSERT_TRUE(later.wait_for(
      [](const SeenMessage& m) { return m.topic == "sensoryd/room-e2e/test-marker"; }, 5s));
  for (const auto& m : later.messages()) {
    EXPECT_EQ(m.topic.find("/cmd/"), std::string::npos) << m.topic << " " << m.payload;
  }
}

TEST(SessionE2E, StartIsRefusedWhileTheDriveIsUnreachable) {
  SimulatedRoom room(calm_room());
  room.start_broker();
  Tablet& tablet = room.tablet();
  room.start_daemon();  // no swing simulator: the drive never answers
  ASSERT_TRUE(wait_until([&] { return tablet.latest("availability") == "online"; }, 10s));
  auto reply = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["error"]["code"], "device_unavailable");
  EXPECT_NE((*reply)["error"]["message"].get<std::string>().find("swing"), std::string::npos);
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "idle");
}

TEST(SessionE2E, SigtermWindsTheSwingDownBeforeExiting) {
  SimulatedRoom room(calm_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s));
  room.daemon().signal(SIGTERM);
  auto status = room.daemon().wait_exit(20s);
  ASSERT_TRUE(status) << "sensoryd did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);

  auto recording = room.recording();
  auto stopped = first_event(recording, "motion_stopped");
  ASSERT_TRUE(stopped) << "the swing was still moving when sensoryd exited";
  EXPECT_FALSE(first_event(recording, "comm_loss_stop").has_value() &&
               (*first_event(recording, "comm_loss_stop"))["t"] < (*stopped)["t"])
      << "the stop came from the drive's watchdog, not from sensoryd";
  EXPECT_EQ(writes_to(recording, "control").back()["value"], 0);
  EXPECT_EQ(tablet.latest("availability"), "offline");

  auto log = room.session_log();
  // The session's records, after those of the room's start (the configuration it read, the
  // drive's watchdog confirmed).
  std::erase_if(log, [](const auto& record) {
    return record["type"] == "config_loaded" || record["type"] == "watchdog_confirmed";
  });
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log.front()["type"], "session_started");
  EXPECT_EQ(log.front()["profile"], "calm");
  EXPECT_EQ(log.back()["type"], "session_ended");
  EXPECT_EQ(log.back()["reason"], "shutdown");
  EXPECT_EQ(log.back()["session_id"], log.front()["session_id"]);
}

TEST(SessionE2E, ReconnectsAfterTheBrokerRestartsAndRepublishesItsState) {
  SimulatedRoom room(calm_room());
  room.start_all();
  room.stop_broker();
  room.start_broker();  // same port, empty: no retained state survives
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until([&] { return tablet.latest("availability") == "online"; }, 20s))
      << room.daemon_log();
  auto session = tablet.latest_json("session");
  ASSERT_TRUE(session);
  EXPECT_EQ((*session)["state"], "idle");
  EXPECT_TRUE(tablet.latest_json("devices/swing"));
  // Commands work again: the subscription was renewed.
  auto reply = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], true) << reply->dump();
}

TEST(SessionE2E, ASecondSigtermDuringTheWindDownDoesNotSkipTheSwingStop) {
  SimulatedRoom room(calm_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(6.0, 10s));
  room.daemon().signal(SIGTERM);
  // The second signal comes while the amplitude is still being ramped down.
  ASSERT_TRUE(wait_until(
      [&] { return room.daemon_log().find("winding the room down") != std::string::npos; }, 5s));
  room.daemon().signal(SIGTERM);
  auto status = room.daemon().wait_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  auto recording = room.recording();
  auto stopped = first_event(recording, "motion_stopped");
  ASSERT_TRUE(stopped) << "the second SIGTERM cut the wind-down short";
  auto trip = first_event(recording, "comm_loss_stop");
  EXPECT_TRUE(!trip || (*trip)["t"] > (*stopped)["t"]) << "the drive's watchdog had to stop it";
}

TEST(SessionE2E, PauseBringsTheSwingToRestAndResumeBringsItBack) {
  SimulatedRoom room(calm_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(6.0, 10s));

  auto paused = tablet.command("pause", json::object());
  ASSERT_TRUE(paused);
  EXPECT_EQ((*paused)["ok"], true) << paused->dump();
  ASSERT_TRUE(tablet.wait_for_session_state("paused", 5s));
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s)) << "the swing did not come to rest on pause";
  EXPECT_EQ(tablet.command("pause", json::object())->at("error")["code"], "not_allowed_in_state");

  auto resumed = tablet.command("resume", json::object());
  ASSERT_TRUE(resumed);
  EXPECT_EQ((*resumed)["ok"], true) << resumed->dump();
  ASSERT_TRUE(tablet.wait_for_session_state("running", 5s));
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 10s)) << "the swing did not come back";

  // Ramped both ways: no amplitude write jumped.
  int previous = 0;
  for (const auto& write : writes_to(room.recording(), "amplitude")) {
    int value = write["value"];
    EXPECT_LE(std::abs(value - previous), 10) << write.dump();
    previous = value;
  }
  auto log = room.session_log();
  bool logged_pause = false;
  for (const auto& record : log) logged_pause = logged_pause || record["type"] == "session_paused";
  EXPECT_TRUE(logged_pause);
}

}  // namespace
}  // namespace sensoryd::test
