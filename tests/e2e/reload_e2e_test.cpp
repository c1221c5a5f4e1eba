// SIGHUP reload: validated, atomic, and never a change to the running session.
#include <optional>

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

bool lists_profile(Tablet& tablet, const std::string& id) {
  auto profiles = tablet.latest_json("profiles");
  if (!profiles || !profiles->is_array()) return false;
  for (const auto& p : *profiles) {
    if (p.value("id", "") == id) return true;
  }
  return false;
}

std::size_t count_in_log(const SimulatedRoom& room, const std::string& text) {
  std::string log = room.daemon_log();
  std::size_t count = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
  return count;
}

class Reload : public ::testing::Test {
 protected:
  Reload() : room(options()) {}
  static RoomOptions options() {
    RoomOptions o;
    o.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
    return o;
  }
  void add_profile(const std::string& file, const std::string& text) {
    std::ofstream(room.dir() / "profiles" / file) << text;
  }
  SimulatedRoom room;
};

TEST_F(Reload, AValidReloadOffersNewProfilesToTheNextSession) {
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until([&] { return lists_profile(tablet, "calm"); }, 5s));
  EXPECT_EQ(tablet.command("start", {{"profile", "brisk"}})->at("error")["code"],
            "unknown_profile");

  add_profile("brisk.toml", short_profile("brisk", 9.0, "30s"));
  room.daemon().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return lists_profile(tablet, "brisk"); }, 10s)) << room.daemon_log();
  auto reply = tablet.command("start", {{"profile", "brisk"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], true) << reply->dump();

  // The clinical record says which configuration ran from when: the files and their SHA-256
  // at the start, and again at the reload, with what triggered each.
  std::optional<nlohmann::json> loaded;
  std::optional<nlohmann::json> reloaded;
  for (const auto& record : room.session_log()) {
    if (record.value("type", "") == "config_loaded") loaded = record;
    if (record.value("type", "") == "config_reloaded") reloaded = record;
  }
  ASSERT_TRUE(loaded && reloaded);
  EXPECT_EQ((*loaded)["trigger"], "start");
  EXPECT_EQ((*reloaded)["trigger"], "SIGHUP");
  EXPECT_EQ((*loaded)["config_sha256"].get<std::string>().size(), 64u);
  EXPECT_NE((*loaded)["config_sha256"], (*reloaded)["config_sha256"]);  // brisk.toml came
  EXPECT_EQ((*loaded)["files"].size() + 1, (*reloaded)["files"].size());
  std::string files = (*reloaded)["files"].dump();
  EXPECT_NE(files.find("brisk.toml"), std::string::npos) << files;
}

TEST_F(Reload, AnInvalidFileIsRefusedWithItsErrorsAndChangesNothing) {
  room.start_all();
  Tablet& tablet = room.tablet();
  add_profile("broken.toml", "id = \"broken\"\ntitle = 5\n");
  room.daemon().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return count_in_log(room, "reload refused") == 1; }, 10s))
      << room.daemon_log();
  EXPECT_NE(room.daemon_log().find("broken.toml:2:9: 'title'"), std::string::npos)
      << room.daemon_log();
  EXPECT_TRUE(room.daemon().running());
  auto reply = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], true) << reply->dump();
}

TEST_F(Reload, ChangesThatNeedARestartAreRefused) {
  room.start_all();
  std::ifstream in(room.room_file());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("max_amplitude_deg = 20"), 22, "max_amplitude_deg = 25");
  std::ofstream(room.room_file()) << text;
  room.daemon().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return count_in_log(room, "reload refused") == 1; }, 10s));
  EXPECT_NE(room.daemon_log().find("changes to [limits] take effect only at a restart"),
            std::string::npos);
}

TEST_F(Reload, ARunningSessionKeepsTheProfileItStartedWith) {
  room.start_all();
  Tablet& tablet = room.tablet();
  auto started = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(started);
  ASSERT_EQ((*started)["ok"], true);
  std::string session_id = (*started)["session_id"];

  // The same profile id, now with one short step: applied mid-session it would end the session.
  add_profile("calm.toml", short_profile("calm", 2.0, "1s"));
  room.daemon().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return count_in_log(room, "reloaded") == 1; }, 10s))
      << room.daemon_log();
  ASSERT_TRUE(wait_until(
      [&] {
        auto profiles = tablet.latest_json("profiles");
        return profiles && !profiles->empty() && (*profiles)[0]["duration_s"] == 3.0;
      },
      5s));
  // Well past the reloaded profile's 3 s, the session still runs its original 62 s profile.
  auto session = tablet.wait_for(
      [&](const SeenMessage& m) {
        if (m.topic != "sensoryd/room-e2e/session") return false;
        auto j = json::parse(m.payload, nullptr, false);
        return j.is_object() && j.value("elapsed_s", 0.0) >= 5.0;
      },
      15s);
  ASSERT_TRUE(session);
  auto j = json::parse(session->payload);
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["session_id"], session_id);
  EXPECT_EQ(j["step"]["name"], "swing");
  EXPECT_DOUBLE_EQ(j["remaining_s"].get<double>() + j["elapsed_s"].get<double>(), 62.0);
}

}  // namespace
}  // namespace sensoryd::test
