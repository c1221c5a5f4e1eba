#include "daemon/app/dose_recorder.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>

#include "daemon/record/session_log.hpp"

namespace sensoryd {

namespace {

using namespace std::chrono_literals;

// A tick that stalled longer than this counts as this long: the outputs were not re-sent
// meanwhile, and a stall must not turn into minutes of dose.
constexpr std::chrono::duration<double> kLongestTick = 1s;
constexpr auto kSeriesInterval = 1s;
constexpr auto kThinnedInterval = 60s;

// Logs the series writer's failures once each, from its thread (spdlog is thread-safe).
LogWriter::ProgressHandler report_failures() {
  auto failing = std::make_shared<std::atomic<bool>>(false);
  return [failing](const LogWriter::Progress& progress) {
    if (!progress.healthy && !failing->exchange(true)) {
      spdlog::error("time series: {}; the session's dose is still recorded", progress.error);
    } else if (progress.healthy && failing->exchange(false)) {
      spdlog::info("time series: written again");
    }
  };
}

}  // namespace

DoseRecorder::DoseRecorder(const SafetySupervisor& supervisor, const SceneGuard& scene,
                           std::filesystem::path series_dir, std::chrono::seconds full_rate_for)
    : supervisor_(supervisor),
      scene_(scene),
      series_dir_(std::move(series_dir)),
      full_rate_for_(full_rate_for),
      file_(series_dir_),
      // Twice a full-rate session's samples may wait for a stalled disk; then they are dropped.
      writer_(file_, report_failures(), static_cast<std::size_t>(full_rate_for.count()) * 2) {}

DoseRecorder::~DoseRecorder() {
  writer_.stop();
}

void DoseRecorder::begin(const std::string& session_id, Clock::time_point now) {
  sampler_.begin(meter_);
  series_transitions_.assign(scene_.lights().size(), 0);
  session_id_ = session_id;
  started_ = now;
  last_tick_ = now;
  last_series_ = now;
  series_samples_ = 0;
}

const std::string* DoseRecorder::tick(Clock::time_point now, bool paused) {
  if (!meter_.active()) return nullptr;
  const DoseSample& sample = sampler_.fill(
      std::min(std::chrono::duration<double>(now - last_tick_), kLongestTick).count(), paused);
  for (std::size_t i = 0; i < sample.lights.size(); ++i) {
    series_transitions_[i] += sample.lights[i].transitions;
  }
  last_tick_ = now;
  meter_.add(sample);
  auto interval = series_samples_ < static_cast<std::size_t>(full_rate_for_.count())
                      ? kSeriesInterval
                      : std::chrono::duration_cast<std::chrono::seconds>(kThinnedInterval);
  if (now - last_series_ < interval) return nullptr;

  // The series sample: the outputs now, the drive's and the devices' reports, and the
  // light changes since the last sample. Once a second, off the per-tick path.
  DoseSample series = sample;
  series.seconds = std::chrono::duration<double>(now - last_series_).count();
  for (std::size_t i = 0; i < series.lights.size(); ++i) {
    series.lights[i].transitions = series_transitions_[i];
    series_transitions_[i] = 0;
    auto reported = scene_.lights()[i]->reported();
    series.lights[i].reported_brightness_pct = reported ? reported->brightness_pct : -1.0;
  }
  for (std::size_t i = 0; i < series.sounds.size(); ++i) {
    auto command = scene_.players()[i].device->reported();
    series.sounds[i].reported_volume_pct = command ? command->volume_pct : -1.0;
  }
  last_series_ = now;
  ++series_samples_;
  double elapsed = std::chrono::duration<double>(now - started_).count();
  line_ = series_line(session_id_, elapsed, std::chrono::system_clock::now(), series, meter_);
  writer_.append(line_);  // refused only when a stalled disk holds back many: then dropped
  return &line_;
}

std::string DoseRecorder::finish() {
  std::string dose = dose_json(meter_.summary(), kDoseFromControlLoop);
  meter_.end();
  return dose;
}

std::optional<std::string> DoseRecorder::interrupted_dose(const std::string& session_id) const {
  auto dose = dose_from_series(SessionLog::read_lines(series_file(series_dir_, session_id)));
  if (!dose) return std::nullopt;
  return dose_json(*dose, kDoseFromTimeSeries);
}

}  // namespace sensoryd
