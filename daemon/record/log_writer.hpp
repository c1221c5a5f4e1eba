// The clinical log's writer thread: records are written in the order given and made durable in
// groups (one fdatasync per batch), so that no disk latency reaches the logic thread and its
// safety functions (docs/safety.md S19). The logic learns what is on disk from `on_progress`,
// and only then sends the events and replies that speak of those records.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sensoryd {

// Where the writer puts its batches: the session log file in the daemon, a scripted one in tests.
class LogFile {
 public:
  virtual ~LogFile() = default;
  // Appends the lines (each a JSON object without its newline) and waits until they are on disk.
  virtual bool append(const std::vector<std::string>& lines) = 0;
  virtual std::string error() const = 0;
};

class LogWriter {
 public:
  struct Progress {
    std::uint64_t done;  // every record up to this sequence number was written, or failed
    bool healthy;        // the last batch reached the disk
    std::string error;   // why it did not, when not healthy
  };
  // Called on the writer thread after each batch; the daemon posts it to the logic thread.
  using ProgressHandler = std::function<void(const Progress&)>;

  // `max_backlog`: records queued and not yet written, beyond which append() refuses more.
  LogWriter(LogFile& file, ProgressHandler on_progress, std::size_t max_backlog = 10'000);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues one record. Returns its sequence number (from 1, in order), or 0 when the backlog
  // is full: the disk has been stalled for long, and the record is not written.
  std::uint64_t append(std::string line);
  // The sequence number the last accepted record got (0: none yet).
  std::uint64_t last_accepted() const;
  // Writes what is queued, then ends the thread. Later appends are refused.
  void stop();

 private:
  void run();

  LogFile& file_;
  ProgressHandler on_progress_;
  std::size_t max_backlog_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::uint64_t last_accepted_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace sensoryd
