// The clinical session log: an append-only file of JSON lines, one per event, each flushed to
// disk before the next is written, so that a crash loses at most the line being written.
#pragma once

#include <filesystem>
#include <optional>
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

  // Every record of a log file; a torn line (cut short by a crash, even if a later start
  // ended it with a newline) is not a record and is skipped.
  static std::vector<std::string> read_lines(const std::filesystem::path& file);
  // The id of the last session the log shows started but never ended (the daemon was killed
  // or lost power during it), if any.
  static std::optional<std::string> unfinished_session(const std::vector<std::string>& records);
  // How many sessions the log shows started, so numbering carries on across restarts.
  static int sessions_started(const std::vector<std::string>& records);

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  std::string error_;
};

}  // namespace sensoryd
