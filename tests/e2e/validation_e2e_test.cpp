// End to end, S22: a technician signs the room's validation; a changed profile leaves it current,
// a changed limit makes it outdated (the room requires it, so a start is refused until someone
// signs again); the report reads the functional check's measured time back from the log.
#include <sys/wait.h>

#include <csignal>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "test_paths.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

RoomOptions validated_room() {
  RoomOptions options;
  options.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
  options.checks_limits_toml =
      "estop_interval = \"24h\"\ndoor_interval = \"off\"\n"
      "door_interval_reason = \"a test of the validation record\"\nrequire_validation = true\n";
  return options;
}

std::optional<json> validation(Tablet& tablet) {
  auto safety = tablet.latest_json("safety");
  if (!safety || !safety->contains("validation")) return std::nullopt;
  return (*safety)["validation"];
}

// Stops sensoryd as systemd would, lets `edit` change `file`, starts it again, and waits until
// the room allows motion (its drive read on the new link), as a tablet offers a start: a start
// before that is refused device_unavailable, whatever the validation.
void restart_with(SimulatedRoom& room, const std::filesystem::path& file,
                  const std::function<std::string(std::string)>& edit) {
  room.daemon().signal(SIGTERM);
  ASSERT_TRUE(room.daemon().wait_exit(20s));
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(file, std::ios::trunc) << edit(text);
  std::size_t before = room.tablet().messages().size();
  room.start_daemon();
  ASSERT_TRUE(room.tablet().wait_for_motion_allowed(20s, before)) << room.daemon_log();
}

json report(SimulatedRoom& room) {
  static int reports = 0;  // each run's output in a file of its own
  ChildProcess process({SENSORYD_BIN, "--validation-report", "--format", "json", "--config",
                        room.room_file().string(), "--state-dir", (room.dir() / "state").string()},
                       room.dir() / ("report-" + std::to_string(++reports) + ".json"));
  auto status = process.wait_exit(30s);
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << process.log_text();
  auto parsed = json::parse(process.log_text(), nullptr, false);
  EXPECT_TRUE(parsed.is_object()) << process.log_text();
  return parsed.is_object() ? parsed : json::object();
}

TEST(ValidationE2E, ASignOffHoldsThroughAProfileChangeAndIsOutdatedByALimitChange) {
  SimulatedRoom room(validated_room());
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_TRUE(wait_until([&] { return validation(tablet).has_value(); }, 10s));
  EXPECT_TRUE((*validation(tablet))["last"].is_null());
  EXPECT_EQ((*validation(tablet))["required"], true);

  // The morning check, so that only the validation stands in the way.
  auto estop_check_is = [&](const std::string& key, const json& value) {
    auto safety = tablet.latest_json("safety");
    return safety && (*safety)["checks"][0][key] == value;
  };
  ASSERT_TRUE(wait_until([&] { return estop_check_is("stage", "ready"); }, 10s));
  room.press_estop();
  ASSERT_TRUE(wait_until([&] { return estop_check_is("stage", "stop_written"); }, 5s));
  room.release_estop();
  ASSERT_TRUE(wait_until([&] { return estop_check_is("due", false); }, 5s));
  ASSERT_EQ(tablet.reply_to("reset", json::object())["ok"], true);
  json refused = tablet.reply_to("start", {{"profile", "calm"}});
  EXPECT_EQ(refused["error"]["code"], "validation_required") << refused;

  // The technician reads the report, then signs.
  json before = report(room);
  ASSERT_TRUE(before.is_object());
  EXPECT_EQ(before["validation_current"], false);
  std::string s21 = before["functions"][20].dump();
  EXPECT_NE(s21.find("check of estop passed (in use), press -> stop write"), std::string::npos)
      << s21;
  // S2 and S6: the drive's watchdog, written and read back at this start, from the log.
  std::string s2 = before["functions"][1].dump();
  EXPECT_NE(s2.find("comm-loss watchdog (500 ms) written and read back"), std::string::npos) << s2;
  json signed_off = tablet.reply_to("validate", {{"therapist", "tom"}});
  ASSERT_EQ(signed_off["ok"], true) << signed_off;
  ASSERT_TRUE(wait_until([&] { return (*validation(tablet))["current"] == true; }, 5s));
  EXPECT_EQ((*validation(tablet))["last"]["by"], "tom");
  EXPECT_EQ(report(room)["validation_current"], true);

  // A profile changed: not what a validation signs. Still current after a restart.
  restart_with(room, room.dir() / "profiles" / "calm.toml",
               [](std::string text) { return text + "\n# the therapist's note\n"; });
  ASSERT_TRUE(wait_until([&] { return validation(tablet).has_value(); }, 5s));
  EXPECT_EQ((*validation(tablet))["current"], true) << *validation(tablet);

  // A limit changed: outdated since this start, and the start is refused until signed again.
  restart_with(room, room.room_file(), [](std::string text) {
    auto at = text.find("max_amplitude_deg = ");
    return text.insert(text.find('\n', at), "\nmax_period_rate_s_per_s = 0.5");
  });
  ASSERT_TRUE(wait_until([&] { return (*validation(tablet))["current"] == false; }, 5s))
      << room.daemon_log();
  EXPECT_TRUE((*validation(tablet))["outdated_since"].is_string());
  refused = tablet.reply_to("start", {{"profile", "calm"}});
  EXPECT_EQ(refused["error"]["code"], "validation_required") << refused;
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("validated by tom"),
            std::string::npos);
  EXPECT_EQ(report(room)["validation_current"], false);
  ASSERT_EQ(tablet.reply_to("validate", {{"therapist", "tom"}})["ok"], true);
  json started = tablet.reply_to("start", {{"profile", "calm"}});
  EXPECT_EQ(started["ok"], true) << started;

  // In the clinical log: both sign-offs, each with the safety SHA-256 it covered.
  std::vector<std::string> signed_shas;
  for (const auto& r : room.session_log()) {
    if (r.value("type", "") == "validation_signed") signed_shas.push_back(r["safety_sha256"]);
  }
  ASSERT_EQ(signed_shas.size(), 2u);
  EXPECT_NE(signed_shas[0], signed_shas[1]);
}

TEST(ValidationE2E, AReportOfAStateDirectoryThatDoesNotExistSaysSo) {
  SimulatedRoom room(validated_room());
  ChildProcess process({SENSORYD_BIN, "--validation-report", "--config", room.room_file().string(),
                        "--state-dir", (room.dir() / "no-such-dir").string()},
                       room.dir() / "report.out");
  auto status = process.wait_exit(30s);
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 66) << process.log_text();
  EXPECT_NE(process.log_text().find("does not exist or cannot be read"), std::string::npos)
      << process.log_text();
}

}  // namespace
}  // namespace sensoryd::test
