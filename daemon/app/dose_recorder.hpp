// Records a session's dose and time series (docs/clinical-record.md) from what the safety
// supervisor and the scene guard sent each tick: the dose summed in a DoseMeter (nothing
// allocated per tick), and about once a second a time-series sample written to the session's
// series file by a thread of its own, so that no disk reaches the logic thread (S19).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "daemon/record/dose.hpp"
#include "daemon/record/dose_sampler.hpp"
#include "daemon/record/log_writer.hpp"
#include "daemon/record/time_series.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "daemon/scene/flash_limiter.hpp"
#include "daemon/scene/scene_guard.hpp"

namespace sensoryd {

class DoseRecorder {
 public:
  using Clock = std::chrono::steady_clock;

  // Samples at most this many seconds a session at 1 Hz, then one a minute (bounded files).
  DoseRecorder(const SafetySupervisor& supervisor, const SceneGuard& scene,
               std::filesystem::path series_dir, std::chrono::seconds full_rate_for);
  ~DoseRecorder();
  DoseRecorder(const DoseRecorder&) = delete;
  DoseRecorder& operator=(const DoseRecorder&) = delete;

  void begin(const std::string& session_id, Clock::time_point now);
  bool recording(const std::string& session_id) const {
    return meter_.active() && session_id == session_id_;
  }
  // One control tick of a running session (`paused`: the session is paused). Returns the
  // time-series line when this tick took a sample, for the live topic.
  const std::string* tick(Clock::time_point now, bool paused);
  // The session's dose as the `dose` object of session_ended; ends the recording.
  std::string finish();

  // The dose of a session a kill cut short, from its time series (nothing when it has none).
  std::optional<std::string> interrupted_dose(const std::string& session_id) const;
  // The series writer's thread ends after writing what waits.
  void stop() { writer_.stop(); }
  const std::filesystem::path& series_dir() const { return series_dir_; }

 private:
  const SafetySupervisor& supervisor_;
  const SceneGuard& scene_;
  std::filesystem::path series_dir_;
  std::chrono::seconds full_rate_for_;
  SeriesFile file_;
  LogWriter writer_;

  DoseMeter meter_;
  DoseSampler sampler_{supervisor_, scene_};
  std::vector<int> series_transitions_;  // since the last series sample, per light
  std::string session_id_;
  Clock::time_point started_{};
  Clock::time_point last_tick_{};
  Clock::time_point last_series_{};
  std::size_t series_samples_ = 0;
  std::string line_;
};

}  // namespace sensoryd
