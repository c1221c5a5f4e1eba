// A session's time series (docs/clinical-record.md): about once a second while a session runs,
// the outputs as sent and as measured, one JSON line per sample in a file of the session's own
// under <state dir>/series/, so that a session can be plotted and replayed, and a session a kill
// cut short still gets its dose at the next start. Written by a LogWriter thread (SeriesFile),
// never by the logic thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/record/dose.hpp"
#include "daemon/record/log_writer.hpp"

namespace sensoryd {

// A swing mode as the series and a preview name it: off, linear, rotary.
const char* swing_mode_name(config::SwingMode mode);

// One sample as a JSON line; `elapsed_s` since the session started.
std::string series_line(const std::string& session_id, double elapsed_s,
                        std::chrono::system_clock::time_point ts, const DoseSample& sample,
                        const DoseMeter& devices);

// The file that holds a session's series.
std::filesystem::path series_file(const std::filesystem::path& series_dir,
                                  const std::string& session_id);

// The dose a series adds up to (each line's sample lasting its `dt`), or nothing when the file
// holds no sample. Lines of another shape than the first are skipped.
std::optional<Dose> dose_from_series(const std::vector<std::string>& lines);

// Writes each series line to its session's file (named by the line's session_id), made durable
// a batch at a time, so that the samples up to a kill are there at the next start.
class SeriesFile final : public LogFile {
 public:
  explicit SeriesFile(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~SeriesFile() override;
  SeriesFile(const SeriesFile&) = delete;
  SeriesFile& operator=(const SeriesFile&) = delete;

  bool append(const std::vector<std::string>& lines) override;
  std::string error() const override;

 private:
  bool open_for(const std::string& session_id);

  std::filesystem::path dir_;
  std::string open_session_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::string error_;
};

}  // namespace sensoryd
