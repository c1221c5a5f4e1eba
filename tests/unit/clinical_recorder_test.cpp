// ClinicalRecorder on a scripted disk: an event goes out only once its record is on disk, a
// note's text stays in the log, a stalled disk loses records (said at once, counted, and the
// count recorded once the disk writes again), and a failure is told to tablets once.
#include "daemon/app/clinical_recorder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/fake_broker.hpp"
#include "tests/support/scripted_log_file.hpp"

namespace sensoryd {
namespace {

using nlohmann::json;

constexpr const char* kEvents = "sensoryd/room-r/events";

class ClinicalRecorderTest : public ::testing::Test {
 protected:
  explicit ClinicalRecorderTest(std::size_t backlog = 64)
      : progress(file),
        outbox(link),
        recorder(file, std::ref(progress), outbox, link, {kEvents, backlog, "sessions.jsonl"},
                 [this] { ++health_changes; }) {}

  // The writer's news, handed over as the daemon's logic thread would.
  void written(std::uint64_t n) {
    ASSERT_TRUE(progress.wait_done(n));
    recorder.progress(progress.last());
  }
  std::vector<json> events() const {
    std::vector<json> out;
    for (const auto& p : link.published) {
      if (p.topic == kEvents) out.push_back(json::parse(p.payload));
    }
    return out;
  }

  // A disk a failed assertion left stalled must not hold the writer's thread forever.
  ~ClinicalRecorderTest() override { file.resume(); }

  test::ScriptedFile file;
  test::ProgressLog progress;
  test::FakeBroker link;
  DurableOutbox outbox;
  ClinicalRecorder recorder;
  int health_changes = 0;
};

std::uint64_t now_record(ClinicalRecorder& recorder, EventType type, Fields fields) {
  return recorder.record(type, std::move(fields), std::chrono::system_clock::now());
}

TEST_F(ClinicalRecorderTest, AnEventGoesOutOnlyOnceItsRecordIsOnDisk) {
  link.up = true;
  file.stall();
  std::uint64_t seq = now_record(recorder, EventType::session_started, {{"session_id", "s-1"}});
  EXPECT_EQ(seq, 1u);
  EXPECT_EQ(recorder.last_record(), 1u);
  outbox.flush(false);
  EXPECT_TRUE(events().empty());  // the disk has not taken it
  file.resume();
  written(1);
  outbox.flush(false);
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0]["type"], "session_started");
  ASSERT_EQ(file.synced().size(), 1u);
  EXPECT_EQ(json::parse(file.synced()[0])["session_id"], "s-1");
  EXPECT_EQ(recorder.error(), "");
  EXPECT_EQ(health_changes, 0);
}

TEST_F(ClinicalRecorderTest, ANotesTextStaysInTheLogAndTheEventSaysOnlyItsLength) {
  link.up = true;
  now_record(recorder, EventType::session_note, {{"session_id", "s-1"}, {"text", "cried at 3"}});
  written(1);
  outbox.flush(false);
  ASSERT_EQ(events().size(), 1u);
  EXPECT_FALSE(events()[0].contains("text"));
  EXPECT_EQ(events()[0]["text_bytes"], 10);
  EXPECT_EQ(json::parse(file.synced().at(0))["text"], "cried at 3");
}

class SmallBacklog : public ClinicalRecorderTest {
 protected:
  SmallBacklog() : ClinicalRecorderTest(2) {}
};

TEST_F(SmallBacklog, AStalledDiskLosesRecordsSaysSoOnceAndRecordsTheCountWhenItWritesAgain) {
  link.up = true;
  file.stall();
  now_record(recorder, EventType::step_changed, {{"step", 1}});
  ASSERT_TRUE(file.wait_until_writing());  // the first is in the writer's hands
  std::uint64_t accepted = 1;
  int lost = 0;
  for (int i = 0; i < 10; ++i) {
    std::uint64_t seq = now_record(recorder, EventType::step_changed, {{"step", i + 2}});
    if (seq == 0) {
      ++lost;
    } else {
      accepted = seq;
    }
  }
  ASSERT_GT(lost, 0);
  EXPECT_NE(recorder.error().find("records are lost"), std::string::npos) << recorder.error();
  EXPECT_EQ(health_changes, 1);  // once, not once per lost record
  auto told = events();
  ASSERT_EQ(told.size(), 1u);  // at once and not through the outbox: the disk is what failed
  EXPECT_EQ(told[0]["type"], "session_log_failed");

  file.resume();
  written(accepted);
  EXPECT_EQ(recorder.error(), "");
  EXPECT_EQ(health_changes, 2);
  recorder.stop();
  outbox.flush(false);
  auto all = events();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back()["type"], "session_log_records_lost");
  EXPECT_EQ(all.back()["count"], lost);
  // The count is in the clinical log too, after the records the disk took.
  EXPECT_EQ(json::parse(file.synced().back())["type"], "session_log_records_lost");
}

TEST_F(ClinicalRecorderTest, AFailureIsToldToTabletsOnceWhenTheyAreThere) {
  file.fail(true);
  now_record(recorder, EventType::step_changed, {{"step", 1}});
  written(1);
  EXPECT_EQ(recorder.error(), "cannot sync sessions.jsonl: No space left");
  EXPECT_EQ(health_changes, 1);
  EXPECT_TRUE(events().empty());  // the broker is not reached yet
  link.up = true;
  recorder.connected();
  recorder.connected();  // a reconnect does not tell the same failure again
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0]["type"], "session_log_failed");
  EXPECT_EQ(events()[0]["detail"], "cannot sync sessions.jsonl: No space left");

  file.fail(false);
  now_record(recorder, EventType::step_changed, {{"step", 2}});
  written(2);
  EXPECT_EQ(recorder.error(), "");
  EXPECT_EQ(health_changes, 2);
}

TEST_F(ClinicalRecorderTest, ALogThatCannotBeOpenedIsSaidUntilAWriteSucceeds) {
  recorder.cannot_open("cannot open /var/lib/sensoryd/sessions.jsonl: Permission denied");
  EXPECT_EQ(recorder.error(), "cannot open /var/lib/sensoryd/sessions.jsonl: Permission denied");
  link.up = true;
  recorder.connected();
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0]["type"], "session_log_failed");
  now_record(recorder, EventType::step_changed, {{"step", 1}});
  written(1);
  EXPECT_EQ(recorder.error(), "");
}

}  // namespace
}  // namespace sensoryd
