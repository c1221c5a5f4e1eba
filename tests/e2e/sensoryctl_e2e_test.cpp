// End to end: sensoryctl as a process against the simulated room, as a technician uses it.
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "test_paths.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;

struct CtlRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class Ctl : public ::testing::Test {
 protected:
  Ctl() : room(options()) { room.start_all(); }

  static RoomOptions options() {
    RoomOptions o;
    o.profiles = {{"calm.toml", short_profile("calm", 8.0, "120s")}};
    return o;
  }

  CtlRun ctl(std::vector<std::string> args, int broker_port = 0) {
    std::vector<std::string> argv{
        SENSORYCTL_BIN, "--broker",
        "tcp://127.0.0.1:" + std::to_string(broker_port != 0 ? broker_port : room.broker_port()),
        "--room", room.options().room_id};
    argv.insert(argv.end(), args.begin(), args.end());
    auto log = room.dir() / ("sensoryctl-" + std::to_string(++runs) + ".log");
    ChildProcess process(argv, log);
    auto status = process.wait_exit(15s);
    CtlRun run;
    run.output = process.log_text();
    if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
    return run;
  }

  SimulatedRoom room;
  int runs = 0;
};

TEST_F(Ctl, SavesAProfileFromATomlFileListsItsHistoryAndSaysWhereAFormIsWrong) {
  // A technician's profile file, saved as an authored profile of the room.
  auto file = room.dir() / "calm-ctl.toml";
  std::ofstream(file) << short_profile("calm-ctl", 9.0, "60s");
  CtlRun saved = ctl({"--therapist", "ana", "profile_save", file.string()});
  EXPECT_EQ(saved.exit_code, 0) << saved.output;
  EXPECT_NE(saved.output.find("profile_save: ok\n  version 1\n  sha256 "), std::string::npos)
      << saved.output;
  CtlRun history = ctl({"profile_history", "calm-ctl"});
  EXPECT_EQ(history.exit_code, 0) << history.output;
  EXPECT_NE(history.output.find("  version 1  sha256 "), std::string::npos) << history.output;

  std::ofstream(file) << short_profile("calm-ctl", 40.0, "60s");
  CtlRun over = ctl({"profile_validate", file.string()});
  EXPECT_EQ(over.exit_code, 1) << over.output;
  EXPECT_NE(over.output.find("profile_validate: refused (invalid_profile)"), std::string::npos)
      << over.output;
  EXPECT_NE(over.output.find("  at /steps/0/swing/amplitude_deg: swing amplitude 40 deg"),
            std::string::npos)
      << over.output;
  CtlRun late = ctl({"profile_save", file.string(), "--base-version", "0"});
  EXPECT_EQ(late.exit_code, 1) << late.output;
  CtlRun missing = ctl({"profile_save", (room.dir() / "nowhere.json").string()});
  EXPECT_EQ(missing.exit_code, 64) << missing.output;
  EXPECT_NE(missing.output.find("cannot read"), std::string::npos) << missing.output;
}

TEST_F(Ctl, PreviewsAProfileAndSavesAChildsPlan) {
  CtlRun preview = ctl({"profile_preview", "calm", "--intensity", "0.5"});
  EXPECT_EQ(preview.exit_code, 0) << preview.output;
  EXPECT_NE(preview.output.find("profile_preview: ok\n  "), std::string::npos) << preview.output;
  EXPECT_NE(preview.output.find("ended completed, swing at most 4 deg"), std::string::npos)
      << preview.output;
  EXPECT_NE(preview.output.find("  dose {"), std::string::npos) << preview.output;

  auto plan = room.dir() / "c-9.json";
  std::ofstream(plan) << R"({"max_amplitude_deg": 3, "profiles": ["calm"]})";
  CtlRun saved = ctl({"--therapist", "lena", "child_plan_save", "c-9", plan.string()});
  EXPECT_EQ(saved.exit_code, 0) << saved.output;
  EXPECT_NE(saved.output.find("child_plan_save: ok\n  version 1"), std::string::npos)
      << saved.output;
  CtlRun capped = ctl({"profile_preview", "calm", "--child", "c-9"});
  EXPECT_NE(capped.output.find("swing at most 3 deg"), std::string::npos) << capped.output;
  EXPECT_NE(capped.output.find("held by child's max_amplitude_deg"), std::string::npos)
      << capped.output;
  std::ofstream(plan) << R"({"profiles": ["calm", "nope"]})";
  CtlRun refused = ctl({"child_plan_save", "c-9", plan.string(), "--base-version", "1"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("  at /profiles/1: there is no profile \"nope\""),
            std::string::npos)
      << refused.output;
  CtlRun history = ctl({"child_plan_history", "c-9", "--profile-version", "1"});
  EXPECT_EQ(history.exit_code, 0) << history.output;
  EXPECT_NE(history.output.find("\"max_amplitude_deg\": 3"), std::string::npos) << history.output;
}

TEST_F(Ctl, DrivesAWholeSessionAndSaysWhatHappened) {
  CtlRun early = ctl({"note", "before any session"});
  EXPECT_EQ(early.exit_code, 1) << early.output;
  EXPECT_NE(early.output.find("note: refused (not_allowed_in_state)"), std::string::npos)
      << early.output;
  CtlRun start = ctl({"--therapist", "ana", "start", "calm", "--intensity", "0.8"});
  EXPECT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("start: ok (session "), std::string::npos) << start.output;
  ASSERT_TRUE(room.wait_for_swing_amplitude(2.0, 10s));

  CtlRun adjust = ctl({"adjust", "0.5"});
  EXPECT_EQ(adjust.exit_code, 0) << adjust.output;
  EXPECT_TRUE(wait_until(
      [&] { return room.tablet().latest_json("session")->value("intensity", 0.0) == 0.5; }, 5s));

  CtlRun status = ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("room room-e2e: online"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("session: running calm, step 0 swing"), std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("safety: motion allowed"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("swing (swing_drive): online"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("estop (input): online, inactive"), std::string::npos)
      << status.output;
  // This room switched its checks off (with a reason), and no one has signed it.
  EXPECT_NE(status.output.find("check estop: off"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("validation: never signed"), std::string::npos) << status.output;

  EXPECT_EQ(ctl({"next"}).exit_code, 0);
  EXPECT_TRUE(room.tablet().wait_for_session_state("running", 5s));
  CtlRun go = ctl({"go"});
  EXPECT_EQ(go.exit_code, 1) << go.output;
  EXPECT_NE(go.output.find("go: refused (not_allowed_in_state)"), std::string::npos) << go.output;

  EXPECT_EQ(ctl({"estop"}).exit_code, 0);
  // The session has ended: its note and the child's response are still taken.
  CtlRun note = ctl({"--therapist", "ana", "note", "settled on the swing, then startled"});
  EXPECT_EQ(note.exit_code, 0) << note.output;
  CtlRun response = ctl({"--therapist", "ana", "response", "--before", "4", "--after", "3"});
  EXPECT_EQ(response.exit_code, 0) << response.output;
  EXPECT_TRUE(wait_until(
      [&] {
        auto log = room.session_log();
        return std::any_of(log.begin(), log.end(), [](const auto& r) {
          return r.value("type", "") == "session_response" && r.value("after", 0) == 3;
        });
      },
      5s));
  CtlRun tripped = ctl({"status"});
  EXPECT_NE(tripped.output.find("safety: TRIPPED"), std::string::npos) << tripped.output;
  EXPECT_NE(tripped.output.find("reset possible: sensoryctl reset"), std::string::npos)
      << tripped.output;
  CtlRun reset = ctl({"reset"});
  EXPECT_EQ(reset.exit_code, 0) << reset.output;
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));

  CtlRun watch = ctl({"watch", "--count", "2"});
  EXPECT_EQ(watch.exit_code, 0) << watch.output;
  EXPECT_NE(watch.output.find("(retained)"), std::string::npos) << watch.output;
}

TEST_F(Ctl, AWrongRoomOrNoBrokerIsExit69WithAHint) {
  std::vector<std::string> wrong{"--room", "no-such-room", "--timeout", "1", "stop"};
  CtlRun nobody = ctl(wrong);
  EXPECT_EQ(nobody.exit_code, 69) << nobody.output;
  EXPECT_NE(nobody.output.find("is sensoryd running"), std::string::npos) << nobody.output;
  CtlRun no_broker = ctl({"--timeout", "1", "status"}, free_tcp_port());
  EXPECT_EQ(no_broker.exit_code, 69) << no_broker.output;
  EXPECT_NE(no_broker.output.find("cannot reach the broker"), std::string::npos)
      << no_broker.output;
  CtlRun usage = ctl({"adjust", "3"});
  EXPECT_EQ(usage.exit_code, 64) << usage.output;
}

}  // namespace
}  // namespace sensoryd::test
