#include <fstream>

#include <gtest/gtest.h>

#include "daemon/record/session_log.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd {
namespace {

TEST(SessionLog, AppendsLinesThatSurviveReopening) {
  test::TempDir dir;
  auto file = dir.path() / "state" / "sessions.jsonl";
  {
    SessionLog log(file);
    ASSERT_TRUE(log.healthy()) << log.error();
    EXPECT_TRUE(log.append(R"({"type":"session_started"})"));
    EXPECT_TRUE(log.append(R"({"type":"step_changed"})"));
  }
  SessionLog again(file);
  EXPECT_TRUE(again.append(R"({"type":"session_ended"})"));
  auto lines = SessionLog::read_lines(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], R"({"type":"session_started"})");
  EXPECT_EQ(lines[2], R"({"type":"session_ended"})");
}

TEST(SessionLog, ATornLastLineIsSkippedAndClosedOff) {
  test::TempDir dir;
  auto file = dir.path() / "sessions.jsonl";
  std::ofstream(file) << "{\"type\":\"session_started\"}\n{\"type\":\"step_ch";
  EXPECT_EQ(SessionLog::read_lines(file).size(), 1u);
  SessionLog log(file);
  ASSERT_TRUE(log.append(R"({"type":"session_ended"})"));
  auto lines = SessionLog::read_lines(file);
  ASSERT_EQ(lines.size(), 2u);  // the torn line stays in the file, but is not a record
  EXPECT_EQ(lines[1], R"({"type":"session_ended"})");
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("{\"type\":\"step_ch\n{\"type\":\"session_ended\"}\n"), std::string::npos);
}

TEST(SessionLog, ASessionStartedButNeverEndedIsFound) {
  std::vector<std::string> records{
      R"({"type":"session_started","session_id":"a"})",
      R"({"type":"session_ended","session_id":"a","reason":"stopped"})",
      R"({"type":"session_started","session_id":"b"})",
      R"({"type":"step_changed","session_id":"b"})"};
  EXPECT_EQ(SessionLog::unfinished_session(records), "b");
  records.push_back(R"({"type":"session_ended","session_id":"b","reason":"interrupted"})");
  EXPECT_FALSE(SessionLog::unfinished_session(records).has_value());
  EXPECT_FALSE(SessionLog::unfinished_session({}).has_value());
}

TEST(SessionLog, CountsTheSessionsItShowsStarted) {
  std::vector<std::string> records{R"({"type":"session_started","session_id":"a"})",
                                   R"({"type":"session_ended","session_id":"a"})",
                                   R"({"type":"step_changed","session_id":"b"})",
                                   R"({"type":"session_started","session_id":"b"})"};
  EXPECT_EQ(SessionLog::sessions_started(records), 2);
  EXPECT_EQ(SessionLog::sessions_started({}), 0);
}

TEST(SessionLog, AnUnwritablePlaceIsAStateNotACrash) {
  test::TempDir dir;
  std::ofstream(dir.path() / "not-a-dir") << "x";
  SessionLog log(dir.path() / "not-a-dir" / "sessions.jsonl");
  EXPECT_FALSE(log.healthy());
  EXPECT_NE(log.error().find("cannot open"), std::string::npos);
  EXPECT_FALSE(log.append(R"({"type":"session_started"})"));
}

}  // namespace
}  // namespace sensoryd
