// The clinical session log: an append-only file of JSON lines, one per event, each batch flushed
// to disk (fdatasync) before it is reported written, so that a crash loses at most the batch
// being written, none of which was acknowledged yet. LogWriter calls it from its own thread.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/record/log_writer.hpp"
#include "daemon/safety/functional_checks.hpp"
#include "daemon/session/validation_state.hpp"

namespace sensoryd {

class SessionLog final : public LogFile {
 public:
  // Opens (creating) `file` for appending. A torn last line left by a crash is closed off so
  // the next record starts on its own line. Failure is a state, not an exception: safety
  // functions must keep running with a full disk.
  explicit SessionLog(std::filesystem::path file);
  ~SessionLog() override;
  SessionLog(const SessionLog&) = delete;
  SessionLog& operator=(const SessionLog&) = delete;

  // Appends the lines (JSON objects without their newlines) and waits until they are on disk.
  bool append(const std::vector<std::string>& json_objects) override;
  bool append(const std::string& json_object) { return append(std::vector{json_object}); }

  bool healthy() const;
  std::string error() const override;
  const std::filesystem::path& file() const { return file_; }

  // Every record of a log file; a torn line (cut short by a crash, even if a later start
  // ended it with a newline) is not a record and is skipped.
  static std::vector<std::string> read_lines(const std::filesystem::path& file);
  // The id of the last session the log shows started but never ended (the daemon was killed
  // or lost power during it), if any.
  static std::optional<std::string> unfinished_session(const std::vector<std::string>& records);
  // How many sessions the log shows started, so numbering carries on across restarts.
  static int sessions_started(const std::vector<std::string>& records);
  // The functional checks that passed (`safety_check_passed`), oldest first (S21).
  static std::vector<FunctionalChecks::Pass> checks_passed(const std::vector<std::string>& records);
  // The last validation sign-off (`validation_signed`), and when a configuration whose safety
  // SHA-256 differs from it was first loaded after it (`config_loaded`, `config_reloaded`) (S22).
  static ValidationState::History validation_history(const std::vector<std::string>& records);

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  bool torn_ = false;         // the last write stopped part-way through a line
  mutable std::mutex mutex_;  // error_ is set by the writer thread and read by the logic
  std::string error_;
};

}  // namespace sensoryd
