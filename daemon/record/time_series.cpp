#include "daemon/record/time_series.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "daemon/session/json_text.hpp"
#include "daemon/session/utc_time.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

double hundredths(double value) {
  return std::round(value * 100.0) / 100.0;
}

json reported(double value) {
  return value < 0.0 ? json(nullptr) : json(hundredths(value));
}

std::uint8_t channel(const json& light, const char* key) {
  int value = light.value(key, 0);
  return static_cast<std::uint8_t>(std::clamp(value, 0, 255));
}

}  // namespace

const char* swing_mode_name(config::SwingMode mode) {
  switch (mode) {
    case config::SwingMode::linear:
      return "linear";
    case config::SwingMode::rotary:
      return "rotary";
    case config::SwingMode::off:
      break;
  }
  return "off";
}

std::string series_line(const std::string& session_id, double elapsed_s,
                        std::chrono::system_clock::time_point ts, const DoseSample& s,
                        const DoseMeter& devices) {
  json swing{{"enabled", s.swing.enabled},
             {"mode", swing_mode_name(s.swing.mode)},
             {"amplitude_deg", hundredths(s.swing.amplitude_deg)},
             {"period_s", hundredths(s.swing.period_s)},
             {"speed_rev_s", hundredths(s.swing.speed_rev_s)},
             {"direction", config::to_string(s.swing.direction)},
             {"rotary_held", s.rotary_held},
             {"measured", nullptr}};
  if (s.measured) {
    swing["measured"] = {{"amplitude_deg", hundredths(s.measured_amplitude_deg)},
                         {"angle_deg", hundredths(s.measured_angle_deg)},
                         {"speed_rev_s", hundredths(s.measured_speed_rev_s)}};
  }
  json lights = json::array();
  for (std::size_t i = 0; i < s.lights.size() && i < devices.lights().size(); ++i) {
    const auto& light = s.lights[i];
    lights.push_back({{"device", devices.lights()[i]},
                      {"r", light.color.r},
                      {"g", light.color.g},
                      {"b", light.color.b},
                      {"brightness_pct", hundredths(light.brightness_pct)},
                      {"transitions", light.transitions},
                      {"reported_brightness_pct", reported(light.reported_brightness_pct)}});
  }
  json sounds = json::array();
  for (std::size_t i = 0; i < s.sounds.size() && i < devices.players().size(); ++i) {
    const auto& sound = s.sounds[i];
    sounds.push_back({{"device", devices.players()[i]},
                      {"level_dba", hundredths(sound.level_dba)},
                      {"reported_volume_pct", reported(sound.reported_volume_pct)}});
  }
  json line{{"session_id", session_id},
            {"t", hundredths(elapsed_s)},
            {"dt", hundredths(s.seconds)},
            {"ts", utc_text(ts)},
            {"paused", s.paused},
            {"tripped", s.tripped},
            {"clamped", s.clamped},
            {"swing", swing},
            {"lights", lights},
            {"sound", sounds}};
  return json_text(line);
}

std::filesystem::path series_file(const std::filesystem::path& series_dir,
                                  const std::string& session_id) {
  // Session ids hold a UTC time: its colons are left out of the file's name.
  std::string name;
  for (char c : session_id) {
    if (c != ':' && c != '/') name += c;
  }
  return series_dir / (name + ".jsonl");
}

std::optional<Dose> dose_from_series(const std::vector<std::string>& lines) {
  DoseMeter meter;
  DoseSample sample;
  for (const auto& text : lines) {
    json line = json::parse(text, nullptr, false);
    if (!line.is_object() || !line["lights"].is_array() || !line["sound"].is_array() ||
        !line["swing"].is_object()) {
      continue;
    }
    const json& lights = line["lights"];
    const json& sounds = line["sound"];
    if (!meter.active()) {
      std::vector<std::string> light_ids;
      std::vector<std::string> player_ids;
      for (const auto& light : lights) light_ids.push_back(light.value("device", ""));
      for (const auto& sound : sounds) player_ids.push_back(sound.value("device", ""));
      meter.begin(std::move(light_ids), std::move(player_ids));
    }
    if (lights.size() != meter.lights().size() || sounds.size() != meter.players().size()) continue;
    sample.seconds = line.value("dt", 0.0);
    sample.paused = line.value("paused", false);
    sample.tripped = line.value("tripped", false);
    sample.clamped = line.value("clamped", false);
    const json& swing = line["swing"];
    sample.swing.enabled = swing.value("enabled", false);
    std::string mode = swing.value("mode", "off");
    sample.swing.mode = mode == "linear"   ? config::SwingMode::linear
                        : mode == "rotary" ? config::SwingMode::rotary
                                           : config::SwingMode::off;
    sample.swing.amplitude_deg = swing.value("amplitude_deg", 0.0);
    sample.swing.period_s = swing.value("period_s", 0.0);
    sample.swing.speed_rev_s = swing.value("speed_rev_s", 0.0);
    sample.swing.direction = swing.value("direction", "") == "counterclockwise"
                                 ? config::Direction::counterclockwise
                                 : config::Direction::clockwise;
    sample.rotary_held = swing.value("rotary_held", false);
    const json& measured = swing["measured"];
    sample.measured = measured.is_object();
    if (sample.measured) {
      sample.measured_amplitude_deg = measured.value("amplitude_deg", 0.0);
      sample.measured_speed_rev_s = measured.value("speed_rev_s", 0.0);
      sample.measured_angle_deg = measured.value("angle_deg", 0.0);
    }
    sample.lights.resize(lights.size());
    for (std::size_t i = 0; i < lights.size(); ++i) {
      sample.lights[i].color = {channel(lights[i], "r"), channel(lights[i], "g"),
                                channel(lights[i], "b")};
      sample.lights[i].brightness_pct = lights[i].value("brightness_pct", 0.0);
      sample.lights[i].transitions = lights[i].value("transitions", 0);
    }
    sample.sounds.resize(sounds.size());
    for (std::size_t i = 0; i < sounds.size(); ++i) {
      sample.sounds[i].level_dba = sounds[i].value("level_dba", 0.0);
    }
    meter.add(sample);
  }
  if (!meter.active()) return std::nullopt;
  Dose dose = meter.summary();
  if (dose.duration_s <= 0.0) return std::nullopt;
  return dose;
}

SeriesFile::~SeriesFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SeriesFile::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

bool SeriesFile::open_for(const std::string& session_id) {
  if (fd_ >= 0 && session_id == open_session_) return true;
  if (fd_ >= 0) ::close(fd_);
  open_session_ = session_id;
  std::error_code ec;
  // Readable by the sensoryd user and its group only, as the log's own directory.
  if (std::filesystem::create_directories(dir_, ec)) {
    using std::filesystem::perms;
    std::filesystem::permissions(dir_, perms::owner_all | perms::group_read | perms::group_exec,
                                 ec);
  }
  std::filesystem::path file = series_file(dir_, session_id);
  // The same mode as the clinical log: the series is part of the child's record.
  fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ >= 0) return true;
  std::lock_guard lock(mutex_);
  error_ = "cannot open " + file.string() + ": " + std::strerror(errno);
  return false;
}

bool SeriesFile::append(const std::vector<std::string>& lines) {
  bool ok = true;
  for (const auto& text : lines) {
    // Parsed here, on the writer's thread, to learn which session's file the line goes to.
    json line = json::parse(text, nullptr, false);
    std::string session_id = line.is_object() ? line.value("session_id", "") : "";
    if (session_id.empty() || !open_for(session_id)) {
      ok = false;
      continue;
    }
    std::string out = text + "\n";
    const char* data = out.data();
    std::size_t left = out.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        std::lock_guard lock(mutex_);
        error_ = std::string("cannot write ") + series_file(dir_, session_id).string() + ": " +
                 std::strerror(errno);
        ok = false;
        break;
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) ok = false;
  if (ok) {
    std::lock_guard lock(mutex_);
    error_.clear();
  }
  return ok;
}

}  // namespace sensoryd
