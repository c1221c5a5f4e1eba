// Golden files (tests/golden/): what sensoryd publishes and exports, byte for byte, so that a
// change of format is a reviewed diff. The status JSON comes from a ControlRig's room at
// simulated time; the exports and the report from the clinical log in tests/golden/sessions.jsonl.
// The tablet's own tests read the same session and safety files (tablet/tests/room-state.test.js).
// To accept a change: SENSORYD_UPDATE_GOLDEN=1 build/tests/sensoryd_unit_tests
// --gtest_filter='Golden*', then review `git diff tests/golden`.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "daemon/record/child_report.hpp"
#include "daemon/record/session_export.hpp"
#include "daemon/record/status_json.hpp"
#include "test_paths.hpp"
#include "tests/support/control_rig.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kGolden = std::filesystem::path(SENSORYD_SOURCE_DIR) / "tests/golden";

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// JSON is kept indented, one field a line: a diff shows the field that changed.
std::string indented(const std::string& json) {
  return nlohmann::json::parse(json).dump(2) + "\n";
}

void expect_golden(const std::string& name, const std::string& text) {
  auto file = kGolden / name;
  if (std::getenv("SENSORYD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(file, std::ios::binary) << text;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(file)) << file << " is missing: see this file's header";
  EXPECT_EQ(read_text(file), text) << "differs from " << file << ": see this file's header";
}

std::vector<std::string> log_lines() {
  std::vector<std::string> lines;
  std::istringstream in(read_text(kGolden / "sessions.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(Golden, TheSessionAsPublishedInEachState) {
  test::ControlRig rig;
  auto session = [&rig] {
    return indented(session_json(rig.control->snapshot(rig.t), "4f1c0a9be2d37c65"));
  };
  expect_golden("session-idle.json", session());
  ASSERT_TRUE(rig.command("start", 0.8).ok);
  rig.run_for(1500ms);
  expect_golden("session-running.json", session());
  ASSERT_TRUE(rig.command("pause").ok);
  expect_golden("session-paused.json", session());
  ASSERT_TRUE(rig.command("resume").ok);
  for (int i = 0; i < 4; ++i) {  // into "wait", which waits for go; supervised all along
    rig.run_for(1s);
    ASSERT_TRUE(rig.command("lease").ok);
  }
  expect_golden("session-waiting-for-go.json", session());
  ASSERT_TRUE(rig.command("stop").ok);
  rig.run_for(100ms);
  expect_golden("session-winding-down.json", session());
}

TEST(Golden, TheSafetyStateAsPublishedSafeAndTripped) {
  test::ControlRig rig;
  // Steady time maps to this wall-clock time for `since`.
  auto wall = std::chrono::system_clock::time_point{} + std::chrono::seconds{1'795'856'400};
  // S21: the E-stop checked two hours before by ana; the door never, so due.
  FunctionalChecks::Pass checked{"estop", config::InputRole::estop, wall - 2h, "ana", 31.5};
  rig.control->enable_checks({checked}, [](auto t) { return t - t.time_since_epoch() % 24h; });
  // S22: signed by tom the day before, for the configuration in force.
  ValidationState::History history;
  history.last = ValidationState::SignOff{"tom", wall - 24h, std::string(64, 'a')};
  rig.control->enable_validation(std::string(64, 'a'), history, wall - 1h);
  auto safety = [&rig, wall](std::string log_error = {}) {
    const SafetySupervisor& s = *rig.supervisor;
    return indented(
        safety_json(SafetyStatus{s.motion_allowed(), &s.interlocks(), s.lease_remaining_s(rig.t),
                                 s.lease_length_s(), s.refusal(), std::move(log_error), rig.t, wall,
                                 rig.control->checks()->status(wall), rig.control->validation()}));
  };
  rig.run_for(100ms);
  rig.control->observe_checks(rig.t, wall);
  expect_golden("safety-safe.json", safety());
  ASSERT_TRUE(rig.command("estop").ok);
  rig.run_for(100ms);
  expect_golden("safety-tripped.json", safety("the disk is full"));
}

TEST(Golden, TheExampleRoomsLimitsAsPublished) {
  // The tablet's editor offers its ranges and words from this (tablet/tests read it too).
  auto loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(loaded.room);
  expect_golden("limits.json", indented(limits_json(loaded.room->limits)));
}

TEST(Golden, AChildsSessionsExportedAsCsvJsonAndFhir) {
  auto log = log_lines();
  ASSERT_EQ(log.size(), 7u);
  expect_golden("export-c-22.csv", export_child_sessions(log, "c-22", ExportFormat::csv));
  expect_golden("export-c-22.json",
                indented(export_child_sessions(log, "c-22", ExportFormat::json)));
  expect_golden("export-c-22.fhir.json",
                indented(export_child_sessions(log, "c-22", ExportFormat::fhir, {},
                                               "2026-12-01T10:00:00.000Z")));
}

TEST(Golden, AChildsReportAndItsChartData) {
  auto sessions = child_sessions(log_lines(), "c-22", {});
  ASSERT_FALSE(sessions.empty());
  expect_golden("report-c-22.txt", child_report(sessions, "c-22", {}));
  expect_golden("report-c-22.dat", chart_data(sessions));
}

}  // namespace
}  // namespace sensoryd
