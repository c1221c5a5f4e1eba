// The sensoryd binary as a technician runs it: --check-config, --version, bad options.
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "test_paths.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  int exit_code = -1;
  std::string output;
};

Outcome run_sensoryd(std::vector<std::string> args, const TempDir& dir) {
  args.insert(args.begin(), SENSORYD_BIN);
  ChildProcess process(args, dir.path() / "out.log");
  auto status = process.wait_exit(30s);
  Outcome run;
  if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
  run.output = process.log_text();
  return run;
}

// Under systemd (JOURNAL_STREAM names stderr) each line starts with its syslog priority, which
// journald reads as the line's priority and strips (sd-daemon(3)); elsewhere, plain lines.
TEST(Cli, UnderSystemdEachLogLineCarriesItsJournalPriority) {
  TempDir dir;
  auto log = dir.path() / "journal.log";
  std::ofstream{log};  // stderr's file, made first so that its device and inode are known
  struct stat st {};
  ASSERT_EQ(stat(log.c_str(), &st), 0);
  std::string stream = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  auto missing = (dir.path() / "missing.toml").string();
  ChildProcess journal({SENSORYD_BIN, "--config", missing}, log, {"JOURNAL_STREAM=" + stream});
  ASSERT_TRUE(journal.wait_exit(30s));
  EXPECT_EQ(journal.log_text().rfind("<3>" + missing + ":1:1: cannot read the room file", 0), 0u)
      << journal.log_text();
  Outcome plain = run_sensoryd({"--config", missing}, dir);
  EXPECT_EQ(plain.output.find("<3>"), std::string::npos) << plain.output;
  EXPECT_NE(plain.output.find("error " + missing + ":1:1: cannot read"), std::string::npos)
      << plain.output;
}

TEST(Cli, CheckConfigAcceptsTheExampleRoom) {
  TempDir dir;
  Outcome run = run_sensoryd({"--check-config", "--config",
                              std::string(SENSORYD_SOURCE_DIR) + "/config/examples/room.toml"},
                             dir);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("OK: room 'room-1'"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("profile calm-down"), std::string::npos) << run.output;
}

TEST(Cli, CheckConfigListsEveryErrorWithFileLineColumnAndExits78) {
  TempDir dir;
  std::ifstream example(std::string(SENSORYD_SOURCE_DIR) + "/config/examples/room.toml");
  std::string text((std::istreambuf_iterator<char>(example)), std::istreambuf_iterator<char>());
  // The line numbers are where the two mistakes land in the example as it is now.
  auto line_of = [&](std::size_t at) {
    return std::to_string(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1);
  };
  std::size_t port_at = text.find("port = 1502");
  std::size_t amplitude_at = text.find("max_amplitude_deg = 20");
  text.replace(port_at, 11, "prot = 1502");
  text.replace(amplitude_at, 22, "max_amplitude_deg = 50");
  std::ofstream(dir.path() / "room.toml") << text;
  std::filesystem::create_directory_symlink(std::string(SENSORYD_SOURCE_DIR) + "/config/templates",
                                            dir.path() / "templates");
  Outcome run = run_sensoryd({"--check-config", (dir.path() / "room.toml").string()}, dir);
  EXPECT_EQ(run.exit_code, 78) << run.output;
  EXPECT_NE(run.output.find("room.toml:" + line_of(port_at) + ":1: error: unknown key 'prot'"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("room.toml:" + line_of(amplitude_at) +
                            ":21: error: limits.swing.max_amplitude_deg = 50 is looser"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("2 error(s)"), std::string::npos) << run.output;
}

TEST(Cli, StartingWithABadConfigStartsNothingAndSaysWhy) {
  TempDir dir;
  std::ofstream(dir.path() / "room.toml") << "[room]\nid = \"r\"\n";
  Outcome run = run_sensoryd({"--config", (dir.path() / "room.toml").string()}, dir);
  EXPECT_EQ(run.exit_code, 78);
  EXPECT_NE(run.output.find("missing key 'mqtt'"), std::string::npos) << run.output;
}

TEST(Cli, VersionAndUsage) {
  TempDir dir;
  Outcome version = run_sensoryd({"--version"}, dir);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("sensoryd 0."), std::string::npos);
  Outcome bad = run_sensoryd({"--frobnicate"}, dir);
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.output.find("unknown option '--frobnicate'"), std::string::npos);
}

TEST(Cli, ExportsOneChildsSessionsFromTheSessionLog) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "state");
  std::ofstream(dir.path() / "state" / "sessions.jsonl")
      << R"({"ts":"2026-11-28T09:00:00.000Z","type":"session_started","session_id":"s1","child":"c-7","profile":"calm-down","therapist":"ana","intensity":1.0})"
      << "\n"
      << R"({"ts":"2026-11-28T09:00:01.000Z","type":"session_started","session_id":"s2","child":"c-9","profile":"calm-down","therapist":"ana","intensity":1.0})"
      << "\n"
      << R"({"ts":"2026-11-28T09:05:00.000Z","type":"session_ended","session_id":"s1","reason":"completed"})"
      << "\n{\"ts\":\"2026-";  // a torn last line
  std::string state = (dir.path() / "state").string();
  Outcome csv = run_sensoryd({"--export-child", "c-7", "--state-dir", state}, dir);
  EXPECT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_NE(csv.output.find("s1,c-7,calm-down,ana,1.0,2026-11-28T09:00:00.000Z,"
                            "2026-11-28T09:05:00.000Z,completed"),
            std::string::npos)
      << csv.output;
  EXPECT_EQ(csv.output.find("s2"), std::string::npos) << csv.output;
  Outcome json =
      run_sensoryd({"--export-child", "c-9", "--format", "json", "--state-dir", state}, dir);
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"session_id\": \"s2\""), std::string::npos) << json.output;

  Outcome missing = run_sensoryd(
      {"--export-child", "c-7", "--state-dir", (dir.path() / "nowhere").string()}, dir);
  EXPECT_EQ(missing.exit_code, 66);
  EXPECT_NE(missing.output.find("no session log"), std::string::npos) << missing.output;
  Outcome bad_format = run_sensoryd({"--export-child", "c-7", "--format", "xml"}, dir);
  EXPECT_EQ(bad_format.exit_code, 64);
  EXPECT_NE(bad_format.output.find("--format takes csv, json or fhir"), std::string::npos);
}

TEST(Cli, ThePeriodAndTheReportsOptionsAreCheckedBeforeAnythingIsRead) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{
           {{"--export-child", "c-7", "--since", "28/11/2026"},
            "--since takes a date, YYYY-MM-DD (UTC), or a UTC time such as 2026-11-01T08:00:00Z; "
            "not '28/11/2026'"},
           {{"--report-child", "c-7", "--until", "2026-13-01"}, "--until takes a date"},
           {{"--since", "2026-11-01"}, "--since goes with --export-child or --report-child"},
           {{"--export-child", "c-7", "--chart", "c.svg"}, "--chart goes with --report-child"},
           {{"--export-child", "c-7", "--report-child", "c-7"},
            "--export-child and --report-child go one at a time"},
           {{"--report-child"}, "--report-child"}}) {
    Outcome out = run_sensoryd(c.args, dir);
    EXPECT_EQ(out.exit_code, 64) << out.output;
    EXPECT_NE(out.output.find(c.says), std::string::npos) << out.output;
  }
}

TEST(Cli, AReportOfAChildWithNoSessionsSaysSoAndDrawsNoChart) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "state");
  std::ofstream(dir.path() / "state" / "sessions.jsonl")
      << R"({"ts":"2026-11-28T09:00:00.000Z","type":"session_started","session_id":"s1","child":"c-7","profile":"calm-down","therapist":"ana","intensity":1.0})"
      << "\n";
  std::string state = (dir.path() / "state").string();
  auto chart = dir.path() / "c-9.svg";
  Outcome none =
      run_sensoryd({"--report-child", "c-9", "--state-dir", state, "--chart", chart.string()}, dir);
  EXPECT_EQ(none.exit_code, 66) << none.output;
  EXPECT_NE(none.output.find("(no session in the log for this child)"), std::string::npos)
      << none.output;
  EXPECT_FALSE(std::filesystem::exists(chart));
  Outcome later =
      run_sensoryd({"--report-child", "c-7", "--state-dir", state, "--since", "2026-11-29"}, dir);
  EXPECT_EQ(later.exit_code, 0) << later.output;
  EXPECT_NE(later.output.find("Child c-7: 0 sessions since 2026-11-29"), std::string::npos)
      << later.output;
}

}  // namespace
}  // namespace sensoryd::test
