// One child's sessions out of the clinical log, as CSV, JSON and FHIR, and the per-child report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>

#include "daemon/record/child_report.hpp"
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

// The CSV's rows, each split at its commas (the test's fields hold none but quoted ones).
std::vector<std::string> csv_lines(const std::string& csv) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < csv.size()) {
    std::size_t end = csv.find('\n', start);
    lines.push_back(csv.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

TEST(SessionExport, CsvHasOneRowPerSessionOfThatChildWithCountsAndQuotedFields) {
  auto lines = csv_lines(export_child_sessions(kLog, "c-7", ExportFormat::csv));
  ASSERT_EQ(lines.size(), 3u);
  // The first columns as before the dose was added: tools that read them still do.
  EXPECT_EQ(lines[0].rfind("session_id,child,profile,therapist,intensity,started,ended,end_reason,"
                           "steps,pauses,adjustments,clamps,trips,duration_s,time_in_motion_s,",
                           0),
            0u)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("s1,c-7,calm-down,\"Ana, OT\",0.8,2026-11-28T09:00:00.000Z,"
                           "2026-11-28T09:05:00.000Z,stopped,2,1,0,0,1,",
                           0),
            0u)
      << lines[1];
  EXPECT_EQ(lines[2].rfind("s3,c-7,calm-down,ana,1.0,2026-11-28T10:00:00.000Z,,,0,0,0,0,0,", 0),
            0u);
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

// A session with a dose, a note and two responses (the second corrects the first's after).
const std::vector<std::string> kDosed{
    R"({"ts":"2026-11-02T09:00:00.000Z","type":"session_started","session_id":"2026-11-02T09:00:00Z-room-1-1","child":"c-22","profile":"calm-down","therapist":"t-ana","intensity":1.0})",
    R"({"ts":"2026-11-02T09:10:00.000Z","type":"session_note","session_id":"2026-11-02T09:00:00Z-room-1-1","therapist":"t-ana","text":"settled, \"hummed\" on the swing"})",
    R"({"ts":"2026-11-02T09:20:00.000Z","type":"session_ended","session_id":"2026-11-02T09:00:00Z-room-1-1","reason":"completed","dose":{"source":"control_loop","duration_s":1200.0,"time_in_motion_s":900.0,"linear":{"time_s":900.0,"oscillations":225.0,"mean_amplitude_deg":12.5,"time_weighted_amplitude_deg":12.5,"peak_amplitude_deg":15.0},"rotary":{"time_s":0.0,"revolutions_clockwise":0.0,"revolutions_counterclockwise":0.0,"peak_rate_rev_s":0.0,"pauses":0,"pause_s":0.0},"measured":null,"light":[{"device":"ceiling","lit_s":1200.0,"peak_brightness_pct":40.0,"colour_s":{"blue":1200.0},"flashes":3,"flashing_s":1.0}],"sound":{"playing_s":600.0,"leq_dba":55.2,"peak_dba":58.0,"players":[]},"pauses":{"count":1,"time_s":60.0},"trips":{"count":0,"time_s":0.0},"clamps":{"count":0,"time_s":0.0}}})",
    R"({"ts":"2026-11-02T09:21:00.000Z","type":"session_response","session_id":"2026-11-02T09:00:00Z-room-1-1","therapist":"t-ana","before":4,"after":2})",
    R"({"ts":"2026-11-02T09:22:00.000Z","type":"session_response","session_id":"2026-11-02T09:00:00Z-room-1-1","therapist":"t-bo","after":3,"goal":"sits on the swing","goal_progress":1})",
    R"({"ts":"2026-12-01T09:00:00.000Z","type":"session_started","session_id":"s-dec","child":"c-22","profile":"alerting","therapist":"","intensity":0.5})",
    R"({"ts":"2026-12-01T09:00:00.500Z","type":"session_ended","session_id":"s-dec","reason":"estop"})"};

TEST(SessionExport, CsvCarriesTheDoseTheLastResponseAndTheNotes) {
  auto lines = csv_lines(export_child_sessions(kDosed, "c-22", ExportFormat::csv));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(",oscillations,mean_amplitude_deg,"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(",sound_leq_dba,"), std::string::npos);
  EXPECT_NE(lines[0].find(",response_before,response_after,notes"), std::string::npos);
  EXPECT_NE(lines[1].find(",1200.0,900.0,900.0,225.0,12.5,12.5,15.0,"), std::string::npos)
      << lines[1];
  EXPECT_NE(lines[1].find(",control_loop,1200.0,3,4,3,\"settled, \"\"hummed\"\" on the swing\""),
            std::string::npos)
      << lines[1];
  EXPECT_EQ(lines[2].rfind("s-dec,c-22,alerting,,0.5,", 0), 0u);
}

TEST(SessionExport, APeriodKeepsTheSessionsThatStartedInIt) {
  Period november{*period_bound("2026-11-01"), *period_bound("2026-12-01")};
  auto json =
      nlohmann::json::parse(export_child_sessions(kDosed, "c-22", ExportFormat::json, november));
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["session_id"], "2026-11-02T09:00:00Z-room-1-1");
  EXPECT_EQ(json[0]["dose"]["linear"]["oscillations"], 225.0);
  Period december{*period_bound("2026-12-01T08:59:59Z"), {}};
  EXPECT_EQ(child_sessions(kDosed, "c-22", december).size(), 1u);
  EXPECT_EQ(
      child_sessions(kDosed, "c-22", Period{*period_bound("2026-12-01T09:00:00.600Z"), {}}).size(),
      0u);
  EXPECT_FALSE(period_bound("01/11/2026").has_value());
  EXPECT_FALSE(period_bound("2026-13-01").has_value());
}

TEST(SessionExport, FhirIsACollectionBundleWithAProcedurePerSessionAndItsObservations) {
  auto bundle = nlohmann::json::parse(
      export_child_sessions(kDosed, "c-22", ExportFormat::fhir, {}, "2026-12-01T10:00:00.000Z"));
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  EXPECT_EQ(bundle["timestamp"], "2026-12-01T10:00:00.000Z");
  std::vector<nlohmann::json> procedures;
  std::vector<nlohmann::json> observations;
  for (const auto& entry : bundle["entry"]) {
    EXPECT_EQ(entry["fullUrl"].get<std::string>().rfind("urn:uuid:", 0), 0u);
    const auto& r = entry["resource"];
    (r["resourceType"] == "Procedure" ? procedures : observations).push_back(entry);
  }
  ASSERT_EQ(procedures.size(), 2u);
  const auto& p = procedures[0]["resource"];
  EXPECT_EQ(p["status"], "completed");
  EXPECT_EQ(p["subject"]["identifier"]["value"], "c-22");
  EXPECT_EQ(p["subject"]["type"], "Patient");
  EXPECT_EQ(p["performedPeriod"]["start"], "2026-11-02T09:00:00.000Z");
  EXPECT_EQ(p["performedPeriod"]["end"], "2026-11-02T09:20:00.000Z");
  EXPECT_EQ(p["performer"][0]["actor"]["identifier"]["value"], "t-ana");
  EXPECT_EQ(p["note"][0]["text"], "settled, \"hummed\" on the swing");
  EXPECT_EQ(p["code"]["text"], "Sensory integration therapy session: profile calm-down");
  const auto& stopped = procedures[1]["resource"];
  EXPECT_EQ(stopped["status"], "stopped");
  EXPECT_EQ(stopped["statusReason"]["text"], "estop");
  EXPECT_FALSE(stopped.contains("performer"));  // no therapist named

  std::map<std::string, nlohmann::json> by_code;
  for (const auto& entry : observations) {
    const auto& o = entry["resource"];
    EXPECT_EQ(o["partOf"][0]["reference"], procedures[0]["fullUrl"]);
    EXPECT_EQ(o["status"], "final");
    by_code[o["code"]["coding"][0]["code"].get<std::string>()] = o;
  }
  const auto& motion = by_code.at("time-in-motion");
  EXPECT_EQ(motion["valueQuantity"]["value"], 900.0);
  EXPECT_EQ(motion["valueQuantity"]["system"], "http://unitsofmeasure.org");
  EXPECT_EQ(motion["valueQuantity"]["code"], "s");
  EXPECT_EQ(by_code.at("linear-mean-amplitude")["valueQuantity"]["code"], "deg");
  EXPECT_EQ(by_code.at("sound-leq")["valueQuantity"]["value"], 55.2);
  EXPECT_EQ(by_code.count("rotary-revolutions-clockwise"), 0u);  // no rotary motion
  EXPECT_EQ(by_code.at("regulation-before")["valueInteger"], 4);
  EXPECT_EQ(by_code.at("goal-attainment")["valueInteger"], 1);
  EXPECT_EQ(by_code.at("goal-attainment")["performer"][0]["display"], "t-bo");
  // The regulation after: both responses are kept, each its own Observation.
  int afters = 0;
  for (const auto& entry : observations) {
    afters += entry["resource"]["code"]["coding"][0]["code"] == "regulation-after" ? 1 : 0;
  }
  EXPECT_EQ(afters, 2);
  // Exported twice, the same resources keep the same identities.
  EXPECT_EQ(export_child_sessions(kDosed, "c-22", ExportFormat::fhir, {}, "x"),
            export_child_sessions(kDosed, "c-22", ExportFormat::fhir, {}, "x"));
}

TEST(SessionExport, NothingOfAnotherChildOrOutsideThePeriodReachesTheFhirBundle) {
  auto bundle = nlohmann::json::parse(export_child_sessions(kLog, "c-9", ExportFormat::fhir));
  ASSERT_EQ(bundle["entry"].size(), 1u);
  EXPECT_EQ(bundle["entry"][0]["resource"]["status"], "in-progress");
  EXPECT_EQ(bundle["entry"][0]["resource"]["subject"]["identifier"]["value"], "c-9");
  EXPECT_FALSE(bundle.contains("timestamp"));
  auto none = nlohmann::json::parse(
      export_child_sessions(kLog, "c-9", ExportFormat::fhir, Period{"2027-01-01", {}}));
  EXPECT_TRUE(none["entry"].empty());
}

TEST(ChildReport, ListsEachSessionsDoseAndResponseAndTotalsTheVestibularInput) {
  auto sessions = child_sessions(kDosed, "c-22");
  std::string report = child_report(sessions, "c-22", {});
  EXPECT_NE(report.find("Child c-22: 2 sessions"), std::string::npos) << report;
  EXPECT_NE(report.find("2026-11-02 09:00  calm-down"), std::string::npos) << report;
  EXPECT_NE(report.find("4>3"), std::string::npos) << report;        // the last after is 3
  EXPECT_NE(report.find("-       -"), std::string::npos) << report;  // the E-stop's: no dose
  EXPECT_NE(report.find("Vestibular input: 15.0 min in motion over 1 session with a dose (20.0 min "
                        "in all); 225 linear oscillations, mean amplitude 12.5 deg."),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("before 4.0 on average (1 session), after 3.0 on average (1 session); "
                        "1 of 1 moved toward regulated (3)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("+1  sits on the swing"), std::string::npos) << report;
  EXPECT_NE(report.find("t-ana: settled"), std::string::npos) << report;
  EXPECT_NE(child_report({}, "c-1", Period{"2026-11-01", {}}).find("no session"),
            std::string::npos);
}

TEST(SessionExport, ADoseFromTheTimeSeriesIsSaidSoInTheCsvTheFhirAndTheReport) {
  // A session sensoryd was stopped during: its dose summed at the next start from the series.
  std::vector<std::string> log = kDosed;
  for (auto& line : log) {
    auto at = line.find("\"control_loop\"");
    if (at != std::string::npos) line.replace(at, 14, "\"time_series\"");
  }
  auto lines = csv_lines(export_child_sessions(log, "c-22", ExportFormat::csv));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[1].find(",time_series,1200.0,3,"), std::string::npos) << lines[1];
  auto bundle = nlohmann::json::parse(export_child_sessions(log, "c-22", ExportFormat::fhir));
  int noted = 0;
  for (const auto& entry : bundle["entry"]) {
    if (entry["resource"].contains("note") && entry["resource"]["resourceType"] == "Observation") {
      ++noted;
    }
  }
  EXPECT_GT(noted, 0);
  std::string report = child_report(child_sessions(log, "c-22"), "c-22", {});
  EXPECT_NE(report.find("completed*"), std::string::npos) << report;

  // A dose the log holds spoilt is left out, never read as zeros.
  for (auto& line : log) {
    auto at = line.find("\"oscillations\":");
    if (at != std::string::npos) line.replace(at, 15, "\"oscillations\":\"many\",\"x\":");
  }
  lines = csv_lines(export_child_sessions(log, "c-22", ExportFormat::csv));
  EXPECT_EQ(lines[1].find(",0.0,0.0,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(",completed,0,0,0,0,0,,,,,,,,,,,,,,,,,,,,,,4,3,"), std::string::npos)
      << lines[1];
}

TEST(ChildReport, TheChartPlotsMinutesAndResponsesPerSession) {
  auto sessions = child_sessions(kDosed, "c-22");
  EXPECT_EQ(chart_data(sessions),
            "# index date motion_min session_min before after\n"
            "0 2026-11-02 15.00 20.00 4 3\n"
            "1 2026-12-01 NaN NaN NaN NaN\n");
  std::string svg = chart_script("c-22", "/tmp/d.dat", "/tmp/c'22.svg");
  EXPECT_NE(svg.find("set terminal svg"), std::string::npos);
  EXPECT_NE(svg.find("set output '/tmp/c''22.svg'"), std::string::npos) << svg;
  EXPECT_NE(chart_script("c-22", "d", "c.png").find("set terminal png"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd
