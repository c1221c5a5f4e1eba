// The clinical session log: an append-only file of JSON lines, one per event, each flushed to
// disk before the next is written, so that a crash loses at most the line being written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sensoryd {

class SessionLog {
 public:
  // Opens (creating) `file` for appending. A torn last line left by a crash is closed off so
  // the next record starts on its own line. Failure is a state, not an exception: safety
  // functions must keep running with a full disk.
  explicit SessionLog(std::filesystem::path file);
  ~SessionLog();
  SessionLog(const SessionLog&) = delete;
  SessionLog& operator=(const SessionLog&) = delete;

  // Appends one line (a JSON object without a newline) and waits until it is on disk.
  bool append(const std::string& json_object);

  bool healthy() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::filesystem::path& file() const { return file_; }

  // Every complete line of a log file; a torn line is skipped.
  static std::vector<std::string> read_lines(const std::filesystem::path& file);

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  std::string error_;
};

}  // namespace sensoryd
