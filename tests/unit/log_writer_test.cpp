// The clinical log's writer thread on a scripted file that can be stalled and can fail: records
// in order, one sync per batch (group commit), progress only for what reached the disk, a
// bounded backlog, and failures reported, never thrown.
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "daemon/record/log_writer.hpp"
#include "tests/support/scripted_log_file.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using test::ProgressLog;
using test::ScriptedFile;

TEST(LogWriter, RecordsReachTheFileInOrderAndProgressNeverRunsAheadOfTheDisk) {
  ScriptedFile file;
  ProgressLog progress(file);
  LogWriter writer(file, std::ref(progress));
  for (int i = 1; i <= 300; ++i) EXPECT_EQ(writer.append(std::to_string(i)), std::uint64_t(i));
  ASSERT_TRUE(progress.wait_done(300));
  auto synced = file.synced();
  ASSERT_EQ(synced.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(synced[i], std::to_string(i + 1));
  EXPECT_TRUE(progress.all_reported_on_disk);
  EXPECT_TRUE(progress.last().healthy);
}

TEST(LogWriter, RecordsQueuedDuringASyncGoToDiskTogetherUnderOneSync) {
  ScriptedFile file;
  ProgressLog progress(file);
  LogWriter writer(file, std::ref(progress));
  file.stall();
  writer.append("first");
  ASSERT_TRUE(file.wait_until_writing());
  for (int i = 0; i < 100; ++i) writer.append("queued " + std::to_string(i));
  EXPECT_EQ(progress.count(), 0u);  // nothing is reported while the disk holds
  file.resume();
  ASSERT_TRUE(progress.wait_done(101));
  auto batches = file.batches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0], std::vector<std::string>{"first"});
  EXPECT_EQ(batches[1].size(), 100u);  // one sync for the hundred that waited
}

TEST(LogWriter, AStalledDiskFillsTheBoundedBacklogAndThenRefusesWithoutBlocking) {
  ScriptedFile file;
  ProgressLog progress(file);
  LogWriter writer(file, std::ref(progress), 10);
  file.stall();
  for (int i = 0; i < 10; ++i) EXPECT_NE(writer.append("kept"), 0u);
  ASSERT_TRUE(file.wait_until_writing());
  EXPECT_EQ(writer.append("one too many"), 0u);  // returns at once: the caller is never held
  EXPECT_EQ(writer.last_accepted(), 10u);
  file.resume();
  ASSERT_TRUE(progress.wait_done(10));
  EXPECT_EQ(file.synced().size(), 10u);
  EXPECT_NE(writer.append("room again"), 0u);  // the backlog drained: records are taken again
}

TEST(LogWriter, AFailedBatchIsReportedWithItsErrorAndLaterBatchesRecover) {
  ScriptedFile file;
  ProgressLog progress(file);
  LogWriter writer(file, std::ref(progress));
  file.fail(true);
  writer.append("lost to a full disk");
  ASSERT_TRUE(progress.wait_done(1));
  EXPECT_FALSE(progress.last().healthy);
  EXPECT_NE(progress.last().error.find("No space left"), std::string::npos);
  file.fail(false);
  writer.append("written");
  ASSERT_TRUE(progress.wait_done(2));
  EXPECT_TRUE(progress.last().healthy);
  EXPECT_EQ(file.synced(), std::vector<std::string>{"written"});
}

TEST(LogWriter, StopWritesEverythingQueuedFirst) {
  ScriptedFile file;
  ProgressLog progress(file);
  {
    LogWriter writer(file, std::ref(progress));
    file.stall();
    writer.append("a");
    ASSERT_TRUE(file.wait_until_writing());
    writer.append("b");
    writer.append("c");
    file.resume();
    writer.stop();
    EXPECT_EQ(writer.append("after stop"), 0u);
  }
  EXPECT_EQ(file.synced(), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace sensoryd
