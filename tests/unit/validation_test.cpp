// S22: the validation record. A sign-off covers the safety configuration in force; another one
// makes it outdated since it was first loaded; a room that requires it refuses a start until
// someone signs again; the report lists each safety function with the log's evidence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "daemon/record/session_log.hpp"
#include "daemon/record/validation_report.hpp"
#include "daemon/session/utc_time.hpp"
#include "test_paths.hpp"
#include "tests/support/control_rig.hpp"
#include "tests/support/fake_broker.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Wall = std::chrono::system_clock;
using nlohmann::json;

const Wall::time_point kMorning = Wall::time_point{1'796'050'800s};  // 2026-11-30T15:00:00Z

std::string line(const json& j) {
  return j.dump();
}
json loaded(const std::string& sha, Wall::time_point at,
            const std::string& type = "config_loaded") {
  return {{"type", type}, {"ts", utc_text(at)}, {"safety_sha256", sha}, {"config_sha256", "x"}};
}
json signed_by(const std::string& by, const std::string& sha, Wall::time_point at) {
  return {{"type", "validation_signed"},
          {"ts", utc_text(at)},
          {"by", by},
          {"safety_sha256", sha},
          {"signed_at", utc_text(at)}};
}

TEST(ValidationState, NeverSignedIsNeitherCurrentNorOutdatedAndRefusesOnlyWhereRequired) {
  ValidationState optional("aaa", false, {}, kMorning);
  EXPECT_FALSE(optional.current());
  EXPECT_FALSE(optional.outdated_since());
  EXPECT_FALSE(optional.refusal());
  ValidationState required("aaa", true, {}, kMorning);
  ASSERT_TRUE(required.refusal());
  EXPECT_NE(required.refusal()->find("has none yet"), std::string::npos) << *required.refusal();
  required.sign("tom", kMorning);
  EXPECT_TRUE(required.current());
  EXPECT_FALSE(required.refusal());
}

TEST(ValidationState, AnotherConfigurationIsOutdatedSinceItWasFirstLoaded) {
  ValidationState::History history;
  history.last = ValidationState::SignOff{"tom", kMorning, "aaa"};
  history.changed_at = kMorning + 2h;
  ValidationState state("bbb", true, history, kMorning + 5h);
  EXPECT_FALSE(state.current());
  EXPECT_EQ(state.outdated_since(), kMorning + 2h);
  auto refusal = state.refusal();
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("validated by tom on 2026-11-30T15:00:00Z"), std::string::npos)
      << *refusal;
  EXPECT_NE(refusal->find("outdated since 2026-11-30T17:00:00Z"), std::string::npos) << *refusal;
  // The log knows no change (this start is the first with the new file): outdated from now.
  history.changed_at.reset();
  EXPECT_EQ(ValidationState("bbb", false, history, kMorning + 5h).outdated_since(), kMorning + 5h);
  // The same configuration as signed: current.
  EXPECT_TRUE(ValidationState("aaa", true, history, kMorning + 5h).current());
}

TEST(ValidationHistory, TheLastSignOffAndTheFirstOtherConfigurationAfterIt) {
  std::vector<std::string> log{
      line(loaded("aaa", kMorning)),
      line(signed_by("tom", "aaa", kMorning + 1h)),
      line(loaded("aaa", kMorning + 2h)),  // a restart, the same files
      line(loaded("bbb", kMorning + 3h)),  // a limit changed
      line(loaded("bbb", kMorning + 4h, "config_reloaded")),
      "{torn",
  };
  auto history = SessionLog::validation_history(log);
  ASSERT_TRUE(history.last);
  EXPECT_EQ(history.last->by, "tom");
  EXPECT_EQ(history.last->safety_sha256, "aaa");
  EXPECT_EQ(history.changed_at, kMorning + 3h);
  // Signed again: current, nothing changed since.
  log.push_back(line(signed_by("ana", "bbb", kMorning + 6h)));
  history = SessionLog::validation_history(log);
  EXPECT_EQ(history.last->by, "ana");
  EXPECT_FALSE(history.changed_at);
}

Outcome send(test::ControlRig& rig, Action action, const std::string& who = "tom") {
  Command c;
  c.action = action;
  c.therapist = who;
  if (action == Action::start) c.payload = StartFields{rig.profile, "", 1.0};
  return rig.control->execute(c, rig.t, rig.wall());
}

TEST(Validation, ARoomThatRequiresItRefusesAStartUntilSomeoneSigns) {
  config::Room room = test::rig_room();
  room.limits.checks.require_validation = true;
  test::ControlRig rig(room);
  ValidationState::History history;
  history.last = ValidationState::SignOff{"tom", rig.wall() - 24h, "old"};
  rig.control->enable_validation("new", history, rig.wall() - 1h);
  rig.run_for(200ms);
  auto refused = send(rig, Action::start);
  EXPECT_EQ(refused.code, "validation_required");
  EXPECT_NE(refused.message.find("changed since it was validated by tom"), std::string::npos)
      << refused.message;

  ASSERT_TRUE(send(rig, Action::validate, "ana").ok);
  rig.collect();
  EXPECT_TRUE(rig.recorded("validation_signed", "by", std::string{"ana"}));
  EXPECT_TRUE(rig.recorded("validation_signed", "safety_sha256", std::string{"new"}));
  EXPECT_TRUE(rig.control->validation()->current());
  EXPECT_TRUE(send(rig, Action::start).ok);
  // Not while a session runs.
  EXPECT_EQ(send(rig, Action::validate).code, "not_allowed_in_state");
}

TEST(Validation, AnOutdatedValidationDoesNotRefuseWhereTheRoomDoesNotRequireIt) {
  test::ControlRig rig;
  ValidationState::History history;
  history.last = ValidationState::SignOff{"tom", rig.wall() - 24h, "old"};
  rig.control->enable_validation("new", history, rig.wall() - 1h);
  rig.run_for(200ms);
  EXPECT_TRUE(send(rig, Action::start).ok);
  EXPECT_EQ(rig.control->validation()->outdated_since(), rig.wall() - 1h - 200ms);
}

TEST(ValidationReport, EachSafetyFunctionWithItsParametersAndTheLogsLastEvidence) {
  // The example room: an E-stop and a door on its cabinet.
  auto room_loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(room_loaded.room);
  auto print = config::fingerprint(*room_loaded.room);
  std::vector<std::string> log{
      line(loaded(print.safety_sha256, kMorning)),
      line(json({{"type", "safety_check_passed"},
                 {"ts", utc_text(kMorning + 1min)},
                 {"input", "estop"},
                 {"role", "estop"},
                 {"by", "ana"},
                 {"guided", true},
                 {"press_to_stop_ms", 12.5},
                 {"checked_at", utc_text(kMorning + 1min)}})),
      line(json({{"type", "interlock_tripped"},
                 {"ts", utc_text(kMorning + 2min)},
                 {"cause", "lease_lapsed"},
                 {"detail", "no tablet renewed the supervision lease"}})),
      line(signed_by("tom", print.safety_sha256, kMorning + 3min)),
  };
  auto report = validation_report(*room_loaded.room, print, log, kMorning + 1h);
  EXPECT_TRUE(report.validation_current);
  EXPECT_NE(report.validation.find("signed by tom"), std::string::npos);
  ASSERT_GE(report.functions.size(), 21u);
  for (int i = 0; i < 21; ++i) EXPECT_EQ(report.functions[i].id, "S" + std::to_string(i + 1));
  const auto& s3 = report.functions[2];
  ASSERT_FALSE(s3.seen.empty());
  EXPECT_NE(s3.seen[0].find("check of estop passed (by ana), press -> stop write 12.5 ms"),
            std::string::npos)
      << s3.seen[0];
  std::string md = report_markdown(report);
  EXPECT_NE(report.functions[12].seen.at(0).find("tripped lease_lapsed"), std::string::npos);
  EXPECT_NE(md.find("| S7 | Swing limits | limits.swing.max_amplitude_deg = "), std::string::npos)
      << md;
  EXPECT_NE(md.find(print.safety_sha256), std::string::npos);
  auto j = json::parse(report_json(report));
  EXPECT_EQ(j["safety_sha256"], print.safety_sha256);
  EXPECT_EQ(j["functions"][20]["id"], "S21");
  EXPECT_EQ(j["validation_current"], true);
}

}  // namespace
}  // namespace sensoryd
