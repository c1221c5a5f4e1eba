// sensoryctl's command line: what it sends, and the usage errors it gives instead.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sensoryctl/ctl_args.hpp"

namespace sensoryd::ctl {
namespace {

CtlRequest ok(std::vector<std::string> args) {
  auto parsed = parse_args(args);
  if (auto* e = std::get_if<UsageError>(&parsed)) ADD_FAILURE() << e->message;
  return std::get<CtlRequest>(parsed);
}

std::string error(std::vector<std::string> args) {
  auto parsed = parse_args(args);
  if (!std::holds_alternative<UsageError>(parsed)) return "(accepted)";
  return std::get<UsageError>(parsed).message;
}

TEST(CtlArgs, StartCarriesProfileChildIntensityAndTherapist) {
  auto r = ok({"--room", "room-2", "--therapist", "ana", "start", "calm-down", "--child", "c-7",
               "--intensity", "0.6"});
  EXPECT_EQ(r.room, "room-2");
  EXPECT_EQ(r.action, "start");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["profile"], "calm-down");
  EXPECT_EQ(body["child"], "c-7");
  EXPECT_DOUBLE_EQ(body["intensity"].get<double>(), 0.6);
  EXPECT_EQ(body["therapist"], "ana");
}

TEST(CtlArgs, DefaultsAndSimpleCommands) {
  auto r = ok({"estop"});
  EXPECT_EQ(r.broker, "tcp://127.0.0.1:1883");
  EXPECT_EQ(r.room, "room-1");
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(ok({"--timeout", "1.5", "status"}).timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(nlohmann::json::parse(ok({"adjust", "0.25"}).body)["intensity"], 0.25);
  EXPECT_EQ(ok({"watch", "--count", "3"}).watch_count, 3);
}

// S21, S22: the morning check of an input, and a technician's sign-off.
TEST(CtlArgs, ACheckNamesItsInputAndValidateCarriesOnlyWhoSigns) {
  auto check = ok({"--therapist", "ana", "check", "estop"});
  EXPECT_EQ(check.action, "check");
  EXPECT_EQ(nlohmann::json::parse(check.body)["input"], "estop");
  EXPECT_EQ(error({"check"}), "check needs the input to check: sensoryctl check estop");
  auto validate = ok({"--therapist", "tom", "validate"});
  EXPECT_EQ(validate.action, "validate");
  EXPECT_EQ(nlohmann::json::parse(validate.body), (nlohmann::json{{"therapist", "tom"}}));
}

TEST(CtlArgs, ASecureRoomsAccountAndCA) {
  auto r = ok({"--broker", "ssl://127.0.0.1:8883", "--ca-file", "ca.pem", "--username", "tablet",
               "--password-file", ".demo/tablet-password", "stop"});
  EXPECT_EQ(r.broker, "ssl://127.0.0.1:8883");
  EXPECT_EQ(r.ca_file, "ca.pem");
  EXPECT_EQ(r.username, "tablet");
  EXPECT_EQ(r.password_file, ".demo/tablet-password");
  EXPECT_EQ(error({"--username", "tablet", "stop"}), "--username and --password-file go together");
  EXPECT_EQ(error({"--password-file", "p", "stop"}), "--username and --password-file go together");
}

TEST(CtlArgs, ANoteAndTheChildsResponse) {
  auto note = ok({"--therapist", "ana", "note", "calmer after the swing", "--session", "s-1"});
  EXPECT_EQ(note.action, "note");
  auto body = nlohmann::json::parse(note.body);
  EXPECT_EQ(body["text"], "calmer after the swing");
  EXPECT_EQ(body["session_id"], "s-1");
  auto response = ok({"response", "--before", "4", "--after", "3"});
  EXPECT_EQ(nlohmann::json::parse(response.body), nlohmann::json({{"before", 4}, {"after", 3}}));
  auto goal = ok({"response", "--goal", "sits 5 min", "--goal-progress", "-1"});
  EXPECT_EQ(nlohmann::json::parse(goal.body),
            nlohmann::json({{"goal", "sits 5 min"}, {"goal_progress", -1}}));
  EXPECT_EQ(error({"note"}),
            "note needs its text, quoted: sensoryctl note \"calmer after the swing\"");
  EXPECT_EQ(error({"note", "a", "b"}), "unexpected 'b' after note");
  EXPECT_EQ(error({"response"}),
            "response needs --before or --after (1-5, 3 = regulated), or --goal with "
            "--goal-progress");
  EXPECT_EQ(error({"response", "--before", "6"}), "--before takes a whole number from 1 to 5");
  EXPECT_EQ(error({"response", "--after", "2.5"}), "--after takes a whole number from 1 to 5");
  EXPECT_EQ(error({"response", "--goal", "g"}), "--goal and --goal-progress go together");
  EXPECT_EQ(error({"response", "--goal-progress", "3", "--goal", "g"}),
            "--goal-progress takes a whole number from -2 to 2");
  EXPECT_EQ(error({"stop", "--before", "3"}), "--before goes with response");
  EXPECT_EQ(error({"stop", "--session", "s-1"}), "--session goes with note or response");
}

TEST(CtlArgs, ProfileCommandsCarryTheirFileIdAndVersions) {
  auto save = ok({"--therapist", "ana", "profile_save", "calm-slower.json", "--base-version", "2"});
  EXPECT_EQ(save.action, "profile_save");
  EXPECT_EQ(save.profile_file, "calm-slower.json");
  EXPECT_EQ(nlohmann::json::parse(save.body)["base_version"], 2);
  EXPECT_EQ(ok({"profile_validate", "calm.toml"}).profile_file, "calm.toml");
  auto restore =
      ok({"profile_restore", "calm-slower", "--profile-version", "1", "--base-version", "3"});
  auto body = nlohmann::json::parse(restore.body);
  EXPECT_EQ(body["profile_id"], "calm-slower");
  EXPECT_EQ(body["version"], 1);
  EXPECT_EQ(body["base_version"], 3);
  EXPECT_EQ(nlohmann::json::parse(ok({"profile_history", "calm-slower"}).body)["profile_id"],
            "calm-slower");

  EXPECT_NE(error({"profile_save"}).find("needs the profile's file"), std::string::npos);
  EXPECT_NE(error({"profile_delete", "calm-slower"}).find("needs --base-version"),
            std::string::npos);
  EXPECT_NE(error({"profile_restore", "calm-slower", "--base-version", "3"})
                .find("needs --profile-version"),
            std::string::npos);
  EXPECT_EQ(error({"stop", "--base-version", "1"}),
            "--base-version goes with profile_save, profile_restore, profile_delete or "
            "child_plan_save");
  EXPECT_EQ(error({"profile_save", "f.json", "--base-version", "-1"}),
            "--base-version takes a whole number from 0 to 1000000");
}

TEST(CtlArgs, MistakesAreUsageErrorsThatSayWhat) {
  EXPECT_NE(error({}).find("which command"), std::string::npos);
  EXPECT_NE(error({"start"}).find("profile id"), std::string::npos);
  EXPECT_NE(error({"adjust", "2"}).find("0 to 1"), std::string::npos);
  EXPECT_NE(error({"adjust"}).find("0 to 1"), std::string::npos);
  EXPECT_NE(error({"dance"}).find("unknown command"), std::string::npos);
  EXPECT_NE(error({"stop", "now"}).find("unexpected 'now'"), std::string::npos);
  EXPECT_NE(error({"--timeout", "soon", "stop"}).find("--timeout"), std::string::npos);
  EXPECT_NE(error({"stop", "--child", "c-7"}).find("--child goes with start"), std::string::npos);
  EXPECT_NE(error({"status", "--count", "2"}).find("--count goes with watch"), std::string::npos);
  // adjust takes its intensity as a word; an --intensity beside it would be ignored silently.
  EXPECT_EQ(error({"adjust", "0.5", "--intensity", "0.3"}),
            "--intensity goes with start or profile_preview");
  EXPECT_NE(error({"--bogus", "x", "stop"}).find("unknown option --bogus"), std::string::npos);
  EXPECT_NE(error({"stop", "--room"}).find("needs a value"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd::ctl
