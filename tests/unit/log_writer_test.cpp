// The clinical log's writer thread on a scripted file that can be stalled and can fail: records
// in order, one sync per batch (group commit), progress only for what reached the disk, a
// bounded backlog, and failures reported, never thrown.
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "daemon/record/log_writer.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;

// A log file whose disk the test holds still (stall()) and lets go (resume()).
class ScriptedFile final : public LogFile {
 public:
  bool append(const std::vector<std::string>& lines) override {
    std::unique_lock lock(mutex_);
    ++calls_waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !stalled_; });
    --calls_waiting_;
    if (failing_) return false;
    batches_.push_back(lines);
    for (const auto& line : lines) synced_.push_back(line);
    return true;
  }
  std::string error() const override { return "cannot sync sessions.jsonl: No space left"; }

  void stall() {
    std::lock_guard lock(mutex_);
    stalled_ = true;
  }
  void resume() {
    std::lock_guard lock(mutex_);
    stalled_ = false;
    changed_.notify_all();
  }
  void fail(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  // Waits until the writer is inside append(), held by the stall.
  bool wait_until_writing() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [this] { return calls_waiting_ > 0; });
  }
  std::vector<std::string> synced() {
    std::lock_guard lock(mutex_);
    return synced_;
  }
  std::vector<std::vector<std::string>> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stalled_ = false;
  bool failing_ = false;
  int calls_waiting_ = 0;
  std::vector<std::string> synced_;
  std::vector<std::vector<std::string>> batches_;
};

// Progress as the logic thread sees it, with a check, at each report, that every record it
// says is done really is on the disk.
struct ProgressLog {
  explicit ProgressLog(ScriptedFile& disk) : file(disk) {}
  void operator()(const LogWriter::Progress& progress) {
    bool on_disk = progress.healthy ? file.synced().size() >= progress.done : true;
    std::lock_guard lock(mutex);
    reports.push_back(progress);
    all_reported_on_disk = all_reported_on_disk && on_disk;
    changed.notify_all();
  }
  bool wait_done(std::uint64_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, [&] { return !reports.empty() && reports.back().done >= n; });
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return reports.size();
  }
  LogWriter::Progress last() {
    std::lock_guard lock(mutex);
    return reports.back();
  }

  ScriptedFile& file;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<LogWriter::Progress> reports;
  bool all_reported_on_disk = true;
};

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
