// The sensoryd binary as a technician runs it: --check-config, --version, bad options.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <fstream>

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
  text.replace(text.find("port = 1502"), 11, "prot = 1502");
  text.replace(text.find("max_amplitude_deg = 20"), 22, "max_amplitude_deg = 50");
  std::ofstream(dir.path() / "room.toml") << text;
  Outcome run = run_sensoryd({"--check-config", (dir.path() / "room.toml").string()}, dir);
  EXPECT_EQ(run.exit_code, 78) << run.output;
  EXPECT_NE(run.output.find("room.toml:25:1: error: unknown key 'prot'"), std::string::npos)
      << run.output;
  EXPECT_NE(
      run.output.find("room.toml:123:21: error: limits.swing.max_amplitude_deg = 50 is looser"),
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

}  // namespace
}  // namespace sensoryd::test
