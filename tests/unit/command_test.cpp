#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/session/command.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point{std::chrono::seconds(1'795'836'131)};

CommandError error_of(std::string_view action, std::string_view payload) {
  auto parsed = parse_command(action, payload, kNow);
  EXPECT_TRUE(std::holds_alternative<CommandError>(parsed)) << payload;
  if (auto* e = std::get_if<CommandError>(&parsed)) return *e;
  return {};
}

Command command_of(std::string_view action, std::string_view payload) {
  auto parsed = parse_command(action, payload, kNow);
  if (auto* e = std::get_if<CommandError>(&parsed)) {
    ADD_FAILURE() << e->code << ": " << e->message;
    return {};
  }
  return std::get<Command>(parsed);
}

TEST(Command, StartWithEveryField) {
  Command c = command_of(
      "start", R"({"request_id":"t1","profile":"calm-down","child":"c-014","therapist":"ana",
                   "intensity":0.5})");
  EXPECT_EQ(c.action, Action::start);
  EXPECT_EQ(c.request_id, "t1");
  EXPECT_EQ(c.therapist, "ana");
  EXPECT_EQ(c.fields<StartFields>()->profile, "calm-down");
  EXPECT_EQ(c.fields<StartFields>()->child, "c-014");
  EXPECT_DOUBLE_EQ(c.fields<StartFields>()->intensity, 0.5);
}

TEST(Command, EmptyPayloadIsAnEmptyObject) {
  Command c = command_of("stop", "");
  EXPECT_EQ(c.action, Action::stop);
  EXPECT_TRUE(c.request_id.empty());
}

struct BadCase {
  const char* name;
  const char* action;
  const char* payload;
  const char* code;
  bool echoes_request_id;
};

class BadCommand : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadCommand, IsRefusedWithItsCode) {
  const BadCase& c = GetParam();
  CommandError e = error_of(c.action, c.payload);
  EXPECT_EQ(e.code, c.code);
  EXPECT_FALSE(e.message.empty());
  if (c.echoes_request_id) {
    EXPECT_EQ(e.request_id, "r");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Payloads, BadCommand,
    ::testing::Values(
        BadCase{"not_json", "start", "{profile:", "bad_request", false},
        BadCase{"not_an_object", "start", "[1,2]", "bad_request", false},
        BadCase{"a_string", "stop", "\"stop\"", "bad_request", false},
        BadCase{"missing_profile", "start", R"({"request_id":"r"})", "bad_request", true},
        BadCase{"profile_not_string", "start", R"({"request_id":"r","profile":7})", "bad_request",
                true},
        BadCase{"intensity_too_high", "start", R"({"request_id":"r","profile":"p","intensity":2})",
                "bad_request", true},
        BadCase{"intensity_not_number", "start",
                R"({"request_id":"r","profile":"p","intensity":"max"})", "bad_request", true},
        BadCase{"request_id_not_string", "stop", R"({"request_id":5})", "bad_request", false},
        BadCase{"child_not_string", "start", R"({"request_id":"r","profile":"p","child":[1]})",
                "bad_request", true},
        BadCase{"stale_iso", "stop", R"({"request_id":"r","sent_at":"2026-11-28T03:22:05Z"})",
                "stale_command", true},
        BadCase{"stale_epoch_ms", "stop", R"({"request_id":"r","sent_at":1795836125000})",
                "stale_command", true},
        BadCase{"bad_sent_at", "stop", R"({"request_id":"r","sent_at":"yesterday"})", "bad_request",
                true},
        BadCase{"unknown_action", "dance", R"({"request_id":"r"})", "unknown_action", true},
        BadCase{"adjust_without_intensity", "adjust", R"({"request_id":"r"})", "bad_request", true},
        BadCase{"adjust_intensity_negative", "adjust", R"({"request_id":"r","intensity":-0.1})",
                "bad_request", true},
        BadCase{"adjust_intensity_not_number", "adjust", R"({"request_id":"r","intensity":null})",
                "bad_request", true},
        BadCase{"note_without_text", "note", R"({"request_id":"r"})", "bad_request", true},
        BadCase{"note_text_not_string", "note", R"({"request_id":"r","text":5})", "bad_request",
                true},
        BadCase{"note_blank", "note", R"({"request_id":"r","text":" \n "})", "bad_request", true},
        BadCase{"note_session_not_string", "note",
                R"({"request_id":"r","text":"x","session_id":1})", "bad_request", true},
        BadCase{"response_empty", "response", R"({"request_id":"r"})", "bad_request", true},
        BadCase{"response_before_zero", "response", R"({"request_id":"r","before":0})",
                "bad_request", true},
        BadCase{"response_after_six", "response", R"({"request_id":"r","after":6})", "bad_request",
                true},
        BadCase{"response_fraction", "response", R"({"request_id":"r","after":2.5})", "bad_request",
                true},
        BadCase{"response_goal_without_progress", "response",
                R"({"request_id":"r","before":3,"goal":"sits for 5 min"})", "bad_request", true},
        BadCase{"response_progress_without_goal", "response",
                R"({"request_id":"r","goal_progress":1})", "bad_request", true},
        BadCase{"response_progress_out_of_scale", "response",
                R"({"request_id":"r","goal":"g","goal_progress":3})", "bad_request", true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Command, EveryActionOfTheContractIsKnown) {
  for (const char* action : {"start", "stop", "pause", "resume", "next", "previous", "go", "adjust",
                             "lease", "estop", "reset"}) {
    std::string payload = R"({"profile":"p","intensity":0.5})";
    EXPECT_EQ(to_string(command_of(action, payload).action), action);
  }
  EXPECT_DOUBLE_EQ(command_of("adjust", R"({"intensity":0.25})").fields<AdjustFields>()->intensity,
                   0.25);
}

TEST(Command, ANoteKeepsItsTextAndTheSessionItIsFor) {
  Command c = command_of("note", R"({"text":"calmer after the swing","session_id":"s-1"})");
  EXPECT_EQ(c.action, Action::note);
  EXPECT_EQ(c.fields<NoteFields>()->text, "calmer after the swing");
  EXPECT_EQ(c.fields<NoteFields>()->session_id, "s-1");
  EXPECT_EQ(
      command_of("note", std::string(R"({"text":")") + std::string(kMaxNoteBytes, 'a') + "\"}")
          .fields<NoteFields>()
          ->text.size(),
      kMaxNoteBytes);
}

TEST(Command, ANoteOverTheLengthLimitIsRefusedWithItsOwnCode) {
  std::string payload =
      std::string(R"({"request_id":"r","text":")") + std::string(kMaxNoteBytes + 1, 'a') + "\"}";
  CommandError e = error_of("note", payload);
  EXPECT_EQ(e.code, "note_too_long");
  EXPECT_EQ(e.request_id, "r");
  EXPECT_NE(e.message.find("2000"), std::string::npos) << e.message;
}

TEST(Command, AResponseTakesEitherScaleOrAGoalWithItsProgress) {
  Command before = command_of("response", R"({"before":5})");
  EXPECT_EQ(before.fields<ResponseFields>()->before, 5);
  EXPECT_FALSE(before.fields<ResponseFields>()->after.has_value());
  Command both = command_of("response", R"({"before":1,"after":3})");
  EXPECT_EQ(both.fields<ResponseFields>()->after, 3);
  Command goal = command_of("response", R"({"goal":"tolerates rotary","goal_progress":-2})");
  EXPECT_EQ(goal.fields<ResponseFields>()->goal, "tolerates rotary");
  EXPECT_EQ(goal.fields<ResponseFields>()->goal_progress, -2);
  EXPECT_FALSE(goal.fields<ResponseFields>()->before.has_value());
  // Each action carries its own fields and no other's.
  EXPECT_EQ(goal.fields<NoteFields>(), nullptr);
  EXPECT_EQ(command_of("stop", "{}").fields<StartFields>(), nullptr);
  EXPECT_NE(command_of("adjust", R"({"intensity":0.4})").fields<AdjustFields>(), nullptr);
}

TEST(Command, FreshSentAtIsAccepted) {
  command_of("stop", R"({"sent_at":"2026-11-28T03:22:08.500Z"})");
  command_of("stop", R"({"sent_at":1795836130000})");
}

TEST(Command, DeepNestingIsRefusedBeforeParsing) {
  std::string deep(100000, '[');
  EXPECT_EQ(error_of("start", deep).code, "bad_request");
  std::string nested =
      R"({"request_id":"r","profile":"p","x":)" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_EQ(error_of("start", nested).code, "bad_request");
  // Brackets inside strings are text, not nesting.
  command_of("start", R"({"profile":"p","note":"[[[[[[[[[[[[[[[[[[[[[[[["})");
}

TEST(Command, OversizedPayloadIsRefused) {
  std::string huge = R"({"profile":"p","pad":")" + std::string(kMaxPayloadBytes, 'x') + "\"}";
  EXPECT_EQ(error_of("start", huge).code, "bad_request");
}

TEST(Command, Timestamps) {
  EXPECT_EQ(parse_utc_timestamp("2026-11-28T03:22:11Z"), kNow);
  EXPECT_EQ(parse_utc_timestamp("2026-11-28T03:22:11.25Z"), kNow + 250ms);
  for (const char* bad : {"2026-11-28 03:22:11Z", "2026-11-28T03:22:11", "2026-13-28T03:22:11Z",
                          "2026-11-28T03:22:11.x5Z", "2026-11-28T03:22:11+01:00"}) {
    EXPECT_FALSE(parse_utc_timestamp(bad).has_value()) << bad;
  }
}

TEST(Command, RepliesFollowTheContract) {
  auto ok = nlohmann::json::parse(ok_reply("t1", "s-1"));
  EXPECT_EQ(ok["request_id"], "t1");
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ(ok["session_id"], "s-1");
  auto error = nlohmann::json::parse(error_reply({"t2", "unknown_profile", "pick another"}));
  EXPECT_EQ(error["ok"], false);
  EXPECT_EQ(error["error"]["code"], "unknown_profile");
  EXPECT_EQ(error["error"]["message"], "pick another");
}

}  // namespace
}  // namespace sensoryd

namespace sensoryd {
namespace {

TEST(Command, AStaleCommandsMessageGivesTheAgeLimitItIsJudgedBy) {
  CommandError e = error_of("stop", R"({"sent_at":1795836125000})");
  ASSERT_EQ(e.code, "stale_command");
  EXPECT_NE(e.message.find("older than " + std::to_string(kMaxCommandAge.count()) + " s"),
            std::string::npos)
      << e.message;
}

}  // namespace
}  // namespace sensoryd
