// A clinical log file for tests of what writes to it: a disk the test can stall, resume and
// make fail (ScriptedFile), and the writer's progress as the logic thread would see it
// (ProgressLog).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/record/log_writer.hpp"

namespace sensoryd::test {

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

}  // namespace sensoryd::test
