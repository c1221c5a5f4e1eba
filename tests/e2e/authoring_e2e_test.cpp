// Profiles authored from a tablet (docs/profiles.md), on the real processes: a save is in force
// for the next session and after a restart, and runs as saved on the drive; deleted while it
// runs, the session keeps its copy; conflicts, history and restore; a kill in the middle of a
// save leaves the previous version in force; a preview moves nothing, and a clinical lead's
// plan lets a child start a new profile, within the child's caps.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A therapist's profile as the tablet's editor sends it: the profile file's keys as JSON.
json stronger(const std::string& title, double amplitude_deg) {
  return {{"id", "calm-stronger"},
          {"title", title},
          {"purpose", "calming"},
          {"steps",
           {{{"name", "swing"},
             {"duration", "60s"},
             {"fade", "1s"},
             {"swing", {{"mode", "linear"}, {"amplitude_deg", amplitude_deg}, {"period", "3s"}}}},
            {{"name", "rest"}, {"duration", "2s"}, {"fade", "1s"}, {"swing", {{"mode", "off"}}}}}}};
}

// The profile as the retained `profiles` topic lists it, among the messages after `from`.
std::optional<json> listed(Tablet& tablet, const std::string& id, std::size_t from = 0) {
  auto seen = tablet.messages();
  for (std::size_t i = seen.size(); i > from; --i) {
    if (seen[i - 1].topic != "sensoryd/room-e2e/profiles") continue;
    for (const auto& p : json::parse(seen[i - 1].payload)) {
      if (p.value("id", "") == id) return p;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

class Authoring : public ::testing::Test {
 protected:
  static RoomOptions options() {
    RoomOptions o;
    o.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
    return o;
  }
  json save(const json& profile, int base_version) {
    return room.tablet().reply_to(
        "profile_save",
        {{"profile", profile}, {"base_version", base_version}, {"therapist", "ana"}}, 10s);
  }
  SimulatedRoom room{options()};
};

TEST_F(Authoring, ASavedProfileIsInForceAfterARestartAndTheDriveGetsItsAmplitude) {
  room.start_all();
  json saved = save(stronger("Calm down, stronger", 9.0), 0);
  ASSERT_EQ(saved["ok"], true) << saved.dump();
  EXPECT_EQ(saved["version"], 1);
  ASSERT_TRUE(wait_until([&] { return listed(room.tablet(), "calm-stronger").has_value(); }, 5s));
  EXPECT_EQ(listed(room.tablet(), "calm-stronger")->value("origin", ""), "authored");
  bool recorded = false;
  for (const auto& r : room.session_log()) {
    if (r.value("type", "") != "profile_saved") continue;
    recorded = true;
    EXPECT_EQ(r["author"], "ana");
    EXPECT_EQ(r["version"], 1);
    EXPECT_EQ(r["sha256"], saved["sha256"]);
  }
  EXPECT_TRUE(recorded);

  room.daemon().signal(SIGTERM);
  ASSERT_TRUE(room.daemon().wait_exit(20s));
  std::size_t before = room.tablet().messages().size();
  room.start_daemon();
  ASSERT_TRUE(
      wait_until([&] { return listed(room.tablet(), "calm-stronger", before).has_value(); }, 20s))
      << room.daemon_log();

  auto after_restart = listed(room.tablet(), "calm-stronger", before);
  EXPECT_EQ(after_restart->value("version", 0), 1);
  EXPECT_EQ((*after_restart)["content"]["steps"][0]["swing"]["amplitude_deg"], 9.0);

  // As a tablet offers a start: once the restarted room allows motion (its drive read again).
  ASSERT_TRUE(room.tablet().wait_for_motion_allowed(20s, before)) << room.daemon_log();
  json started = room.tablet().reply_to("start", {{"profile", "calm-stronger"}}, 20s);
  ASSERT_EQ(started["ok"], true) << started.dump();
  // The clinical record names exactly what ran: the saved version and its file's SHA-256.
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& r : room.session_log()) {
          if (r.value("type", "") == "session_started") return true;
        }
        return false;
      },
      5s));
  for (const auto& r : room.session_log()) {
    if (r.value("type", "") != "session_started") continue;
    EXPECT_EQ(r["profile_origin"], "authored");
    EXPECT_EQ(r["profile_version"], 1);
    EXPECT_EQ(r["profile_sha256"], saved["sha256"]);
  }
  // 9 degrees, not the room profile's 6: the drive received what the therapist saved.
  EXPECT_TRUE(room.wait_for_swing_amplitude(8.5, 20s));

  // Deleted while it runs: it is no longer offered, and the session keeps its copy.
  std::size_t before_delete = room.tablet().messages().size();
  json deleted = room.tablet().reply_to(
      "profile_delete",
      {{"profile_id", "calm-stronger"}, {"base_version", 1}, {"therapist", "ana"}});
  ASSERT_EQ(deleted["ok"], true) << deleted.dump();
  ASSERT_TRUE(room.tablet().wait_for(
      [](const SeenMessage& m) { return m.topic == "sensoryd/room-e2e/profiles"; }, 5s,
      before_delete));
  EXPECT_FALSE(listed(room.tablet(), "calm-stronger", before_delete).has_value());
  EXPECT_EQ(room.tablet().latest_json("session")->value("state", ""), "running");
  EXPECT_EQ(room.tablet().reply_to("next", json::object())["ok"], true);  // its next step, "rest"
  EXPECT_EQ(room.tablet().reply_to("start", {{"profile", "calm-stronger"}})["error"]["code"],
            "not_allowed_in_state");
  EXPECT_EQ(room.tablet().reply_to("stop", json::object())["ok"], true);
  ASSERT_TRUE(room.tablet().wait_for_session_state("idle", 10s));
  EXPECT_EQ(room.tablet().reply_to("start", {{"profile", "calm-stronger"}})["error"]["code"],
            "unknown_profile");
}

TEST_F(Authoring, ALateSaveIsAConflictAndAnEarlierVersionCanBeRestored) {
  room.start_all();
  ASSERT_EQ(save(stronger("First", 9.0), 0)["ok"], true);
  ASSERT_EQ(save(stronger("Second", 8.0), 1)["ok"], true);
  json late = save(stronger("Late", 7.0), 1);
  EXPECT_EQ(late["ok"], false);
  EXPECT_EQ(late["error"]["code"], "version_conflict");
  EXPECT_EQ(late["error"]["version"], 2);

  json over = save(stronger("Too far", 40.0), 2);
  EXPECT_EQ(over["error"]["code"], "invalid_profile");
  EXPECT_EQ(over["error"]["fields"][0]["pointer"], "/steps/0/swing/amplitude_deg");

  json history = room.tablet().reply_to("profile_history", {{"profile_id", "calm-stronger"}});
  ASSERT_EQ(history["ok"], true) << history.dump();
  EXPECT_EQ(history["versions"].size(), 2u);
  json restored = room.tablet().reply_to(
      "profile_restore", {{"profile_id", "calm-stronger"}, {"version", 1}, {"base_version", 2}});
  ASSERT_EQ(restored["ok"], true) << restored.dump();
  EXPECT_EQ(restored["version"], 3);
  ASSERT_TRUE(wait_until(
      [&] {
        auto p = listed(room.tablet(), "calm-stronger");
        return p && p->value("title", "") == "First";
      },
      5s));

  // The room's own profile is the technician's: it can be duplicated, not overwritten.
  json room_profile = stronger("Mine now", 6.0);
  room_profile["id"] = "calm";
  EXPECT_EQ(save(room_profile, 0)["error"]["code"], "room_profile");
}

TEST_F(Authoring, AKillInTheMiddleOfASaveLeavesThePreviousVersionInForce) {
  const auto stalled = room.dir() / "disk-stalled";
  room.start_all(stalling_disk_env(stalled));
  ASSERT_EQ(save(stronger("Before", 9.0), 0)["ok"], true);

  { std::ofstream(stalled) << "stall"; }
  room.tablet().publish(
      "sensoryd/room-e2e/cmd/profile_save",
      json{{"request_id", "mid"}, {"profile", stronger("Half", 8.0)}, {"base_version", 1}}.dump(),
      false);
  // The new version's file is being synced (and the disk holds it there): kill -9 now.
  const auto history = room.dir() / "state" / "profiles" / "history" / "calm-stronger";
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(history / ".2.toml.tmp"); }, 10s));
  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(5s));
  std::filesystem::remove(stalled);

  std::size_t before = room.tablet().messages().size();
  room.start_daemon();
  ASSERT_TRUE(
      wait_until([&] { return listed(room.tablet(), "calm-stronger", before).has_value(); }, 20s))
      << room.daemon_log();
  EXPECT_EQ(listed(room.tablet(), "calm-stronger", before)->value("title", ""), "Before");
  // The next save follows version 1: the half-written one never counted.
  json next = save(stronger("After", 8.0), 1);
  EXPECT_EQ(next["ok"], true) << next.dump();
  EXPECT_EQ(next["version"], 2);

  // The copy in force is written without syncs once the history has the version: should a power
  // loss leave it behind its history, sensoryd puts it right before it reads the profiles.
  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(5s));
  const auto in_force = room.dir() / "state" / "profiles" / "calm-stronger.toml";
  std::filesystem::copy_file(history / "1.toml", in_force,
                             std::filesystem::copy_options::overwrite_existing);
  before = room.tablet().messages().size();
  room.start_daemon();
  ASSERT_TRUE(
      wait_until([&] { return listed(room.tablet(), "calm-stronger", before).has_value(); }, 20s))
      << room.daemon_log();
  EXPECT_EQ(listed(room.tablet(), "calm-stronger", before)->value("title", ""), "After");
}

class AuthoringForAChild : public ::testing::Test {
 protected:
  static RoomOptions options() {
    RoomOptions o;
    o.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
    o.extra_room_toml =
        "[children.c-022]\nflags = [\"vestibular_sensitive\"]\nmax_amplitude_deg = 5\n"
        "profiles = [\"calm\"]\n";
    return o;
  }
  std::size_t motion_writes() const {
    auto recording = room.recording();
    return writes_to(recording, "amplitude").size() + writes_to(recording, "control").size();
  }
  SimulatedRoom room{options()};
};

TEST_F(AuthoringForAChild, APreviewMovesNothingAndALeadsPlanLetsTheChildStartTheNewProfile) {
  room.start_all();
  Tablet& tablet = room.tablet();
  json saved = tablet.reply_to("profile_save",
                               {{"profile", stronger("Calm down, stronger", 9.0)},
                                {"base_version", 0},
                                {"therapist", "ana"}},
                               10s);
  ASSERT_EQ(saved["ok"], true) << saved.dump();

  // The preview: c-022's 5 degrees, not the 9 asked, and computed without a write to the drive.
  std::size_t writes_before = motion_writes();
  json preview = tablet.reply_to("profile_preview",
                                 {{"profile_id", "calm-stronger"}, {"child", "c-022"}}, 10s);
  ASSERT_EQ(preview["ok"], true) << preview.dump();
  EXPECT_EQ(preview["approved"], false);
  double widest = 0.0;
  for (const auto& a : preview["samples"]["swing"]["amplitude_deg"]) {
    widest = std::max(widest, a.get<double>());
  }
  EXPECT_EQ(widest, 5.0);
  EXPECT_EQ(tablet.latest_json("session")->value("state", ""), "idle");
  EXPECT_EQ(motion_writes(), writes_before);

  // Not approved yet: refused. The lead's plan approves it; then it starts, capped.
  json refused = tablet.reply_to("start", {{"profile", "calm-stronger"}, {"child", "c-022"}}, 10s);
  EXPECT_EQ(refused["error"]["code"], "contraindicated") << refused.dump();
  json plan = tablet.reply_to("child_plan_save",
                              {{"child", "c-022"},
                               {"plan",
                                {{"flags", {"vestibular_sensitive"}},
                                 {"max_amplitude_deg", 5},
                                 {"profiles", {"calm", "calm-stronger"}}}},
                               {"base_version", 0},
                               {"therapist", "lena"}},
                              10s);
  ASSERT_EQ(plan["ok"], true) << plan.dump();
  EXPECT_EQ(plan["version"], 1);
  ASSERT_TRUE(wait_until(
      [&] {
        auto children = tablet.latest_json("children");
        return children && !children->empty() && (*children)[0].value("plan_version", 0) == 1;
      },
      5s));
  json started = tablet.reply_to("start", {{"profile", "calm-stronger"}, {"child", "c-022"}}, 10s);
  ASSERT_EQ(started["ok"], true) << started.dump();
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.5, 20s)) << room.daemon_log();
  // What the drive was sent never went past the child's cap (0.1 degree units).
  for (const auto& write : writes_to(room.recording(), "amplitude")) {
    EXPECT_LE(write["value"].get<int>(), 50) << write.dump();
  }
  bool recorded = false;
  for (const auto& r : room.session_log()) {
    if (r.value("type", "") != "child_plan_saved") continue;
    recorded = true;
    EXPECT_EQ(r["author"], "lena");
    EXPECT_EQ(r["child"], "c-022");
  }
  EXPECT_TRUE(recorded);
  EXPECT_EQ(tablet.reply_to("stop", json::object())["ok"], true);
}

}  // namespace
}  // namespace sensoryd::test
