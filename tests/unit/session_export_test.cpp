// One child's sessions out of the clinical log, as CSV and JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/record/session_export.hpp"

namespace sensoryd {
namespace {

const std::vector<std::string> kLog{
    R"({"ts":"2026-11-28T09:00:00.000Z","type":"session_started","session_id":"s1","child":"c-7","profile":"calm-down","therapist":"Ana, OT","intensity":0.8})",
    R"({"ts":"2026-11-28T09:00:00.000Z","type":"step_changed","session_id":"s1","index":0,"name":"settle"})",
    R"({"ts":"2026-11-28T09:00:05.000Z","type":"session_started","session_id":"s2","child":"c-9","profile":"alerting","therapist":"bo","intensity":1.0})",
    R"({"ts":"2026-11-28T09:01:00.000Z","type":"step_changed","session_id":"s1","index":1,"name":"gentle"})",
    R"({"ts":"2026-11-28T09:01:30.000Z","type":"interlock_tripped","session_id":"s1","cause":"door_open"})",
    R"({"ts":"2026-11-28T09:01:30.000Z","type":"session_paused","session_id":"s1","reason":"door_open"})",
    R"({"ts":"2026-11-28T09:02:00.000Z","type":"command_refused","action":"go","code":"not_allowed_in_state"})",
    R"({"ts":"2026-11-28T09:05:00.000Z","type":"session_ended","session_id":"s1","reason":"stopped"})",
    R"({"ts":"2026-11-28T10:00:00.000Z","type":"session_started","session_id":"s3","child":"c-7","profile":"calm-down","therapist":"ana","intensity":1.0})"};

TEST(SessionExport, CsvHasOneRowPerSessionOfThatChildWithCountsAndQuotedFields) {
  std::string csv = export_child_sessions(kLog, "c-7", ExportFormat::csv);
  EXPECT_EQ(csv,
            "session_id,child,profile,therapist,intensity,started,ended,end_reason,steps,pauses,"
            "adjustments,clamps,trips\n"
            "s1,c-7,calm-down,\"Ana, OT\",0.8,2026-11-28T09:00:00.000Z,"
            "2026-11-28T09:05:00.000Z,stopped,2,1,0,0,1\n"
            "s3,c-7,calm-down,ana,1.0,2026-11-28T10:00:00.000Z,,,0,0,0,0,0\n");
}

TEST(SessionExport, JsonHoldsEverySessionRecordAndNothingOfOtherChildren) {
  auto sessions = nlohmann::json::parse(export_child_sessions(kLog, "c-7", ExportFormat::json));
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0]["session_id"], "s1");
  EXPECT_EQ(sessions[0]["end_reason"], "stopped");
  EXPECT_EQ(sessions[0]["records"].size(), 6u);
  EXPECT_TRUE(sessions[1]["ended"].is_null());  // still running, or cut short
  for (const auto& session : sessions) {
    for (const auto& record : session["records"]) EXPECT_NE(record.value("session_id", ""), "s2");
  }
}

TEST(SessionExport, AChildWithoutSessionsGivesJustTheHeaderOrAnEmptyList) {
  EXPECT_EQ(export_child_sessions(kLog, "c-1", ExportFormat::csv).find('\n'),
            export_child_sessions(kLog, "c-1", ExportFormat::csv).size() - 1);
  EXPECT_EQ(export_child_sessions(kLog, "c-1", ExportFormat::json), "[]\n");
}

}  // namespace
}  // namespace sensoryd
