#include "daemon/record/log_writer.hpp"

namespace sensoryd {

namespace {

// A batch larger than this is split: each fdatasync still covers many records, and a
// progress report never waits for a very long write.
constexpr std::size_t kMaxBatch = 512;

}  // namespace

LogWriter::LogWriter(LogFile& file, ProgressHandler on_progress, std::size_t max_backlog)
    : file_(file), on_progress_(std::move(on_progress)), max_backlog_(max_backlog) {
  worker_ = std::thread([this] { run(); });
}

LogWriter::~LogWriter() {
  stop();
}

std::uint64_t LogWriter::append(std::string line) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_backlog_) return 0;
    queue_.push_back(std::move(line));
    ++last_accepted_;
  }
  wake_.notify_one();
  return last_accepted();
}

std::uint64_t LogWriter::last_accepted() const {
  std::lock_guard lock(mutex_);
  return last_accepted_;
}

void LogWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void LogWriter::run() {
  std::uint64_t done = 0;
  while (true) {
    std::vector<std::string> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is written
      // Group commit: everything that queued up while the last batch was being synced goes
      // to disk together, under one fdatasync. The records stay counted in the backlog (at the
      // queue's front) until they are written, so that a stalled disk fills it.
      std::size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    bool ok = file_.append(batch);
    std::string error = ok ? std::string() : file_.error();
    {
      std::lock_guard lock(mutex_);
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(batch.size()));
    }
    done += batch.size();
    if (on_progress_) on_progress_(Progress{done, ok, std::move(error)});
  }
}

}  // namespace sensoryd
