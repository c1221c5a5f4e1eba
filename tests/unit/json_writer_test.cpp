// JsonWriter and the `safety` message written with it: the same text json_text() gives for the
// same value (nlohmann's canonical form: keys in byte order, its numbers, its escapes), which
// tablets, Home Assistant and the golden files have always read.
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/record/json_writer.hpp"
#include "daemon/record/status_json.hpp"
#include "daemon/session/json_text.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;

std::string canonical(const std::string& text) {
  return json_text(nlohmann::json::parse(text));
}

TEST(JsonWriter, NumbersAndStringsAreWrittenAsNlohmannWritesThem) {
  const double numbers[] = {0.0, -0.0,     0.1,     0.2,  9.9,   10.0,   31.5,   1e20,     1e-5,
                            1e5, 100000.5, 123.456, -2.5, 1e300, 0.0001, 5e-324, 1.0 / 3.0};
  for (double n : numbers) {
    std::string out;
    JsonWriter(out).number(n);
    EXPECT_EQ(out, json_text(nlohmann::json(n))) << n;
  }
  std::string out;
  JsonWriter(out).number(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(out, "null");
  const std::string strings[] = {
      "",           "plain text", "a \"quote\"", "back\\slash",        "tab\there",
      "line\nfeed", "\x01\x1f",   "caf\xc3\xa9", "bad \xff\xfe bytes", "\x7f"};
  for (const auto& s : strings) {
    std::string written;
    JsonWriter(written).string(s);
    EXPECT_EQ(written, json_text(nlohmann::json(s))) << s;
  }
}

TEST(JsonWriter, ContainersTakeTheirCommasAndColons) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a").begin_array().integer(1).integer(-2).null().end_array();
  w.key("b").begin_object().end_object();
  w.key("c").begin_array().begin_object().key("d").boolean(true).end_object().end_array();
  w.key("e").string_or_null("");
  w.end_object();
  EXPECT_EQ(out, R"({"a":[1,-2,null],"b":{},"c":[{"d":true}],"e":null})");
}

TEST(JsonWriter, TheSafetyMessageIsNlohmannsCanonicalText) {
  auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  auto wall = std::chrono::system_clock::time_point{} + std::chrono::seconds{1'795'856'400};
  Interlocks interlocks;
  interlocks.trip(Cause::estop_command, "ana \"the\" therapist \xff", t0, "the estop command");
  interlocks.set(Cause::door_open, "door", true, t0 + 2s, "the door 'door' is open");
  FunctionalChecks::Input estop{"estop", config::InputRole::estop, std::chrono::hours(24)};
  FunctionalChecks::Input door{"door", config::InputRole::door, std::nullopt};
  FunctionalChecks::Status checked{
      estop, FunctionalChecks::Stage::ready, "", std::nullopt, wall + 20h, false};
  checked.last = FunctionalChecks::Pass{"estop", config::InputRole::estop, wall - 4h, "tom", 31.46};
  FunctionalChecks::Status never{
      door, FunctionalChecks::Stage::unknown, "ana", std::nullopt, std::nullopt, true};
  MotionRefusal refusal{RefusalCode::drive_unusable,
                        {{"health", "lost"}, {"device", "swing"}, {"detail", "no answer"}}};
  SafetyStatus status{
      false, &interlocks,      7.25,   10.0, refusal, "cannot write: disk full", t0 + 5s,
      wall,  {checked, never}, nullptr};
  std::string text = safety_json(status);
  EXPECT_EQ(text, canonical(text));
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["causes"].size(), 2u);
  EXPECT_EQ(parsed["refusal"]["params"]["device"], "swing");
  EXPECT_EQ(parsed["lease_remaining_s"], 7.3);
  EXPECT_EQ(parsed["checks"][0]["last"]["press_to_stop_ms"], 31.5);
  EXPECT_EQ(parsed["session_log"]["ok"], false);

  SafetyStatus calm{true, &interlocks, std::nullopt, std::nullopt, {}, {}, t0, wall, {}, nullptr};
  Interlocks none;
  calm.interlocks = &none;
  std::string quiet = safety_json(calm);
  EXPECT_EQ(quiet, canonical(quiet));
  EXPECT_EQ(nlohmann::json::parse(quiet)["refusal"], nullptr);
}

TEST(JsonWriter, TheSessionMessageIsNlohmannsCanonicalText) {
  SessionSnapshot idle;
  idle.allowed_actions = {Action::start, Action::estop};
  std::string text = session_json(idle, "4f1c0a9be2d37c65");
  EXPECT_EQ(text, canonical(text));
  EXPECT_EQ(nlohmann::json::parse(text)["step"], nullptr);

  SessionSnapshot running;
  running.state = SessionState::running;
  running.profile_id = "calm";
  running.session_id = "2026-12-08T00:00:00Z-room-1-0001";
  running.step_index = 2;
  running.step_name = "swing \"gently\"";
  running.step_remaining_s = 12.34;
  running.elapsed_s = 61.06;
  running.remaining_s = 300.0;
  running.intensity = 0.9;
  running.child = "c-22";
  running.therapist = "ana";
  running.allowed_actions = {Action::stop, Action::pause, Action::adjust};
  text = session_json(running, "4f1c0a9be2d37c65");
  EXPECT_EQ(text, canonical(text));
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["step"]["remaining_s"], 12.3);
  EXPECT_EQ(parsed["intensity"], 0.9);
  EXPECT_EQ(parsed["allowed_actions"].size(), 3u);
}

}  // namespace
}  // namespace sensoryd
