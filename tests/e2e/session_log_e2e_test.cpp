// Fault: sensoryd is SIGKILLed mid-session. The clinical session log must hold every event
// published before the kill (at most the one being written may be missing), tolerate a torn
// last line, and say at the next start that the session was interrupted.
#include <signal.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(SessionLogFault, AKillMidSessionLosesNothingPublishedAndTheNextStartClosesTheSession) {
  RoomOptions options;
  options.profiles = {{"calm.toml", short_profile("calm", 6.0, "120s")}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "calm"}, {"therapist", "ana"}});
  ASSERT_TRUE(started) << "no reply";
  ASSERT_EQ((*started)["ok"], true);
  std::string session_id = (*started)["session_id"];
  ASSERT_TRUE(room.wait_for_swing_amplitude(1.0, 10s));
  for (const char* action : {"pause", "resume", "next", "previous"}) {
    auto reply = tablet.command(action, json::object());
    ASSERT_TRUE(reply) << "no reply";
    ASSERT_EQ((*reply)["ok"], true) << action << ": " << reply->dump();
  }
  ASSERT_EQ((tablet.reply_to("adjust", {{"intensity", 0.5}}))["ok"], true);
  ASSERT_EQ((tablet.reply_to("go", json::object()))["error"]["code"], "not_allowed_in_state");

  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(5s));
  // The broker's last will says so; only then is a later "online" the new daemon's.
  ASSERT_TRUE(wait_until([&] { return tablet.latest("availability") == "offline"; }, 10s));
  std::vector<std::string> published;
  for (const auto& m : tablet.messages()) {
    if (m.topic.ends_with("/events")) published.push_back(m.payload);
  }
  ASSERT_GE(published.size(), 7u);  // start, pause, resume, 2 steps, adjust, refusal

  // A kill in the middle of a write leaves a torn line; the next start must cope.
  std::ofstream(room.dir() / "state" / "sessions.jsonl", std::ios::app) << "{\"ts\":\"2026-11-";

  std::vector<std::string> logged_before;
  {
    std::ifstream in(room.dir() / "state" / "sessions.jsonl");
    for (std::string line; std::getline(in, line);) logged_before.push_back(line);
  }
  std::size_t missing = 0;
  for (std::size_t i = 0; i < published.size(); ++i) {
    bool found =
        std::find(logged_before.begin(), logged_before.end(), published[i]) != logged_before.end();
    if (!found) {
      ++missing;
      EXPECT_EQ(i, published.size() - 1) << "event lost before the kill: " << published[i];
    }
  }
  EXPECT_LE(missing, 1u);

  room.start_daemon();
  ASSERT_TRUE(wait_until(
      [&] {
        auto safety = tablet.latest_json("safety");
        return tablet.latest("availability") == "online" && safety &&
               safety->value("motion_allowed", false);
      },
      15s))
      << room.daemon_log();
  auto again = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(again) << room.daemon_log();
  ASSERT_EQ((*again)["ok"], true) << again->dump();
  // Often within the same second as the killed session's start: the id must still differ.
  ASSERT_NE((*again)["session_id"], session_id);

  auto log = room.session_log();  // every record parses: the torn line is not one
  bool interrupted = false;
  bool new_start = false;
  for (const auto& record : log) {
    if (record.value("type", "") == "session_ended" &&
        record.value("session_id", "") == session_id) {
      interrupted = record.value("reason", "") == "interrupted";
      EXPECT_FALSE(new_start) << "the interrupted session was closed after the new one began";
    }
    if (record.value("type", "") == "session_started" &&
        record.value("session_id", "") == (*again)["session_id"]) {
      new_start = true;
    }
  }
  EXPECT_TRUE(interrupted) << "the killed session was not closed as interrupted";
  EXPECT_TRUE(new_start);
}

TEST(SessionLogFault, AFullDiskIsReportedAndTheSessionAndItsSafetyCarryOn) {
  RoomOptions options;
  options.profiles = {{"calm.toml", short_profile("calm", 6.0, "120s")}};
  SimulatedRoom room(options);
  // Every write to /dev/full fails with ENOSPC, as on a full disk.
  std::filesystem::create_directories(room.dir() / "state");
  std::filesystem::create_symlink("/dev/full", room.dir() / "state" / "sessions.jsonl");
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "calm"}, {"therapist", "ana"}});
  ASSERT_TRUE(started) << "no reply";
  ASSERT_EQ((*started)["ok"], true) << started->dump();
  ASSERT_TRUE(wait_until(
      [&] {
        auto safety = tablet.latest_json("safety");
        return safety && !(*safety)["session_log"].value("ok", true);
      },
      5s))
      << room.daemon_log();
  auto safety = *tablet.latest_json("safety");
  EXPECT_NE(safety["session_log"].value("detail", "").find("No space left"), std::string::npos)
      << safety.dump();
  EXPECT_TRUE(tablet.wait_for(
      [](const SeenMessage& m) {
        return m.topic.ends_with("/events") &&
               m.payload.find("\"session_log_failed\"") != std::string::npos;
      },
      5s));
  // The session runs on, and so do the interlocks.
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 10s));
  EXPECT_EQ((tablet.reply_to("estop", json::object()))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));
  EXPECT_TRUE(room.daemon().running());
}

}  // namespace
}  // namespace sensoryd::test
