#include "daemon/record/dose.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <nlohmann/json.hpp>

#include "daemon/session/json_text.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, kColourFamilies> kFamilyNames{
    "red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "white"};

// Below these the drive is taken to be at rest (its readings jitter around zero).
constexpr double kMeasuredRestAmplitudeDeg = 0.5;
constexpr double kMeasuredRestSpeedRevS = 0.01;

double energy(double level_dba) {
  return std::pow(10.0, level_dba / 10.0);
}

double level_of(double energy_s, double seconds) {
  return seconds > 0.0 && energy_s > 0.0 ? 10.0 * std::log10(energy_s / seconds) : 0.0;
}

// Figures are kept to what a therapist reads: seconds and degrees to 0.1, counts to 0.01.
// Divided, not multiplied, back: 136 / 10 is the double nearest 13.6, 136 * 0.1 is not.
double rounded(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

}  // namespace

std::string_view to_string(ColourFamily family) {
  return kFamilyNames[static_cast<std::size_t>(family)];
}

ColourFamily colour_family(const config::Rgb& rgb) {
  double r = rgb.r / 255.0;
  double g = rgb.g / 255.0;
  double b = rgb.b / 255.0;
  double max = std::max({r, g, b});
  double min = std::min({r, g, b});
  double chroma = max - min;
  // HSV saturation: a warm or cool white is still white.
  if (max <= 0.0 || chroma / max < 0.25) return ColourFamily::white;
  double hue = 0.0;
  if (max == r) {
    hue = 60.0 * std::fmod((g - b) / chroma + 6.0, 6.0);
  } else if (max == g) {
    hue = 60.0 * ((b - r) / chroma + 2.0);
  } else {
    hue = 60.0 * ((r - g) / chroma + 4.0);
  }
  if (hue < 15.0 || hue >= 345.0) return ColourFamily::red;
  if (hue < 45.0) return ColourFamily::orange;
  if (hue < 70.0) return ColourFamily::yellow;
  if (hue < 165.0) return ColourFamily::green;
  if (hue < 195.0) return ColourFamily::cyan;
  if (hue < 255.0) return ColourFamily::blue;
  if (hue < 290.0) return ColourFamily::purple;
  return ColourFamily::pink;
}

void DoseMeter::begin(std::vector<std::string> lights, std::vector<std::string> players) {
  *this = DoseMeter{};
  active_ = true;
  light_ids_ = std::move(lights);
  player_ids_ = std::move(players);
  light_states_.resize(light_ids_.size());
  sound_states_.resize(player_ids_.size());
  for (const auto& id : light_ids_) dose_.lights.push_back(LightDose{id});
  for (const auto& id : player_ids_) dose_.sounds.push_back(SoundDose{id});
}

void DoseMeter::add(const DoseSample& s) {
  if (!active_ || s.lights.size() != light_states_.size() ||
      s.sounds.size() != sound_states_.size() || !(s.seconds > 0.0)) {
    return;
  }
  const double dt = s.seconds;
  dose_.duration_s += dt;
  add_interruptions(s, dt);
  add_swing(s, dt);
  add_measured(s, dt);
  add_lights(s, dt);
  add_sound(s, dt);
}

namespace {

// An interruption is counted when it begins, and timed while it lasts.
void interruption(bool now, double dt, bool& was, int& count, double& seconds) {
  if (now && !was) ++count;
  if (now) seconds += dt;
  was = now;
}

}  // namespace

void DoseMeter::add_interruptions(const DoseSample& s, double dt) {
  interruption(s.paused, dt, was_paused_, dose_.pauses, dose_.paused_s);
  interruption(s.tripped, dt, was_tripped_, dose_.trips, dose_.tripped_s);
  interruption(s.clamped, dt, was_clamped_, dose_.clamps, dose_.clamped_s);
  bool held = s.rotary_held && s.swing.mode == config::SwingMode::rotary;
  interruption(held, dt, was_rotary_held_, dose_.rotary_pauses, dose_.rotary_pause_s);
}

// What the supervisor sent the drive.
void DoseMeter::add_swing(const DoseSample& s, double dt) {
  bool linear = s.swing.enabled && s.swing.mode == config::SwingMode::linear &&
                s.swing.amplitude_deg > 0.0 && s.swing.period_s > 0.0;
  bool rotary =
      s.swing.enabled && s.swing.mode == config::SwingMode::rotary && s.swing.speed_rev_s > 0.0;
  if (linear) {
    double cycles = dt / s.swing.period_s;
    dose_.linear_s += dt;
    dose_.oscillations += cycles;
    oscillation_amplitude_ += cycles * s.swing.amplitude_deg;
    amplitude_seconds_ += dt * s.swing.amplitude_deg;
    dose_.peak_amplitude_deg = std::max(dose_.peak_amplitude_deg, s.swing.amplitude_deg);
  }
  if (rotary) {
    dose_.rotary_s += dt;
    double turns = dt * s.swing.speed_rev_s;
    if (s.swing.direction == config::Direction::clockwise) {
      dose_.revolutions_clockwise += turns;
    } else {
      dose_.revolutions_counterclockwise += turns;
    }
    dose_.peak_rate_rev_s = std::max(dose_.peak_rate_rev_s, s.swing.speed_rev_s);
  }
  if (linear || rotary) dose_.time_in_motion_s += dt;
}

// What the drive reported doing.
void DoseMeter::add_measured(const DoseSample& s, double dt) {
  if (!s.measured) return;
  dose_.measured_s += dt;
  double speed = std::abs(s.measured_speed_rev_s);
  if (s.measured_amplitude_deg > kMeasuredRestAmplitudeDeg || speed > kMeasuredRestSpeedRevS) {
    dose_.measured_motion_s += dt;
  }
  dose_.measured_peak_amplitude_deg =
      std::max(dose_.measured_peak_amplitude_deg, s.measured_amplitude_deg);
  dose_.measured_revolutions += dt * speed;
}

void DoseMeter::add_lights(const DoseSample& s, double dt) {
  // Flashing time counts whole seconds of the session (from its start) that held a flash, so
  // that a dose from the 1 Hz time series counts it the same way.
  double elapsed_before = elapsed_s_;
  elapsed_s_ += dt;
  auto window = static_cast<std::int64_t>(std::floor(elapsed_before + dt * 0.5));
  bool new_window = window != window_;
  window_ = window;
  for (std::size_t i = 0; i < s.lights.size(); ++i) {
    const auto& light = s.lights[i];
    LightDose& out = dose_.lights[i];
    LightState& state = light_states_[i];
    if (new_window) state.window_transitions = 0;
    if (light.brightness_pct > 0.0) {
      out.lit_s += dt;
      if (!state.family || !(state.family_of == light.color)) {  // a hue a change, not a tick
        state.family = colour_family(light.color);
        state.family_of = light.color;
      }
      out.family_s[static_cast<std::size_t>(*state.family)] += dt;
      out.peak_brightness_pct = std::max(out.peak_brightness_pct, light.brightness_pct);
    }
    if (light.transitions > 0) {
      bool had_flash = state.window_transitions >= 2;
      state.window_transitions += light.transitions;
      state.transitions += light.transitions;
      out.flashes = state.transitions / 2;
      if (!had_flash && state.window_transitions >= 2) out.flashing_s += 1.0;
    }
  }
}

void DoseMeter::add_sound(const DoseSample& s, double dt) {
  double room_energy = 0.0;
  for (std::size_t i = 0; i < s.sounds.size(); ++i) {
    double level = s.sounds[i].level_dba;
    if (level <= 0.0) continue;
    SoundDose& out = dose_.sounds[i];
    out.playing_s += dt;
    double e = energy(level);
    sound_states_[i].energy_s += e * dt;
    out.peak_dba = std::max(out.peak_dba, level);
    room_energy += e;
  }
  if (room_energy > 0.0) {
    // The room's peak: all players together at one moment.
    dose_.sound_peak_dba = std::max(dose_.sound_peak_dba, 10.0 * std::log10(room_energy));
    dose_.sound_playing_s += dt;
    sound_energy_s_ += room_energy * dt;
  }
}

Dose DoseMeter::summary() const {
  Dose dose = dose_;
  dose.mean_amplitude_deg =
      dose.oscillations > 0.0 ? oscillation_amplitude_ / dose.oscillations : 0.0;
  dose.time_weighted_amplitude_deg = dose.linear_s > 0.0 ? amplitude_seconds_ / dose.linear_s : 0.0;
  for (std::size_t i = 0; i < dose.sounds.size(); ++i) {
    dose.sounds[i].leq_dba = level_of(sound_states_[i].energy_s, dose.sounds[i].playing_s);
  }
  // The room's level: the players' energies summed (a sound from two at once is louder).
  dose.sound_leq_dba = level_of(sound_energy_s_, dose.sound_playing_s);
  return dose;
}

std::string dose_json(const Dose& d, std::string_view source) {
  auto s = [](double v) { return rounded(v, 1); };
  json lights = json::array();
  for (const auto& light : d.lights) {
    json families = json::object();
    for (std::size_t f = 0; f < kColourFamilies; ++f) {
      if (light.family_s[f] > 0.0) families[std::string{kFamilyNames[f]}] = s(light.family_s[f]);
    }
    lights.push_back({{"device", light.device},
                      {"lit_s", s(light.lit_s)},
                      {"peak_brightness_pct", s(light.peak_brightness_pct)},
                      {"colour_s", families},
                      {"flashes", light.flashes},
                      {"flashing_s", s(light.flashing_s)}});
  }
  json players = json::array();
  for (const auto& sound : d.sounds) {
    players.push_back({{"device", sound.device},
                       {"playing_s", s(sound.playing_s)},
                       {"leq_dba", s(sound.leq_dba)},
                       {"peak_dba", s(sound.peak_dba)}});
  }
  json measured = nullptr;
  if (d.measured_s > 0.0) {
    measured = {{"reported_s", s(d.measured_s)},
                {"time_in_motion_s", s(d.measured_motion_s)},
                {"peak_amplitude_deg", s(d.measured_peak_amplitude_deg)},
                {"revolutions", rounded(d.measured_revolutions, 2)}};
  }
  json out{{"source", source},
           {"duration_s", s(d.duration_s)},
           {"time_in_motion_s", s(d.time_in_motion_s)},
           {"linear",
            {{"time_s", s(d.linear_s)},
             {"oscillations", rounded(d.oscillations, 2)},
             {"mean_amplitude_deg", s(d.mean_amplitude_deg)},
             {"time_weighted_amplitude_deg", s(d.time_weighted_amplitude_deg)},
             {"peak_amplitude_deg", s(d.peak_amplitude_deg)}}},
           {"rotary",
            {{"time_s", s(d.rotary_s)},
             {"revolutions_clockwise", rounded(d.revolutions_clockwise, 2)},
             {"revolutions_counterclockwise", rounded(d.revolutions_counterclockwise, 2)},
             {"peak_rate_rev_s", rounded(d.peak_rate_rev_s, 2)},
             {"pauses", d.rotary_pauses},
             {"pause_s", s(d.rotary_pause_s)}}},
           {"measured", measured},
           {"light", lights},
           {"sound",
            {{"playing_s", s(d.sound_playing_s)},
             {"leq_dba", s(d.sound_leq_dba)},
             {"peak_dba", s(d.sound_peak_dba)},
             {"players", players}}},
           {"pauses", {{"count", d.pauses}, {"time_s", s(d.paused_s)}}},
           {"trips", {{"count", d.trips}, {"time_s", s(d.tripped_s)}}},
           {"clamps", {{"count", d.clamps}, {"time_s", s(d.clamped_s)}}}};
  return json_text(out);
}

namespace {

// Reads figures out of one object of a dose; the first one absent or of another type spoils it.
class DoseFields {
 public:
  explicit DoseFields(const json& object) : object_(object) { ok_ = object.is_object(); }
  bool ok() const { return ok_; }
  void number(const char* key, double& into) {
    take(key, into, [](const json& v) { return v.is_number(); });
  }
  void count(const char* key, int& into) {
    take(key, into, [](const json& v) { return v.is_number_integer(); });
  }
  void text(const char* key, std::string& into) {
    take(key, into, [](const json& v) { return v.is_string(); });
  }
  const json& part(const char* key) {
    static const json none;
    const json* v = find(key);
    if (v == nullptr) ok_ = false;
    return v != nullptr ? *v : none;
  }

 private:
  template <typename T, typename IsType>
  void take(const char* key, T& into, IsType is_type) {
    const json* v = find(key);
    if (v != nullptr && is_type(*v)) {
      into = v->get<T>();
    } else {
      ok_ = false;
    }
  }
  const json* find(const char* key) const {
    if (!ok_) return nullptr;
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  const json& object_;
  bool ok_ = false;
};

}  // namespace

std::optional<LoggedDose> read_dose(std::string_view text) {
  json root = json::parse(text, nullptr, false);
  if (!root.is_object() || !root.contains("source") || !root["source"].is_string()) {
    return std::nullopt;
  }
  LoggedDose logged;
  logged.source = root["source"].get<std::string>();
  if (logged.source != kDoseFromControlLoop && logged.source != kDoseFromTimeSeries &&
      logged.source != kDoseFromPreview) {
    return std::nullopt;
  }
  Dose& d = logged.dose;
  DoseFields top(root);
  top.number("duration_s", d.duration_s);
  top.number("time_in_motion_s", d.time_in_motion_s);
  DoseFields linear(top.part("linear"));
  linear.number("time_s", d.linear_s);
  linear.number("oscillations", d.oscillations);
  linear.number("mean_amplitude_deg", d.mean_amplitude_deg);
  linear.number("time_weighted_amplitude_deg", d.time_weighted_amplitude_deg);
  linear.number("peak_amplitude_deg", d.peak_amplitude_deg);
  DoseFields rotary(top.part("rotary"));
  rotary.number("time_s", d.rotary_s);
  rotary.number("revolutions_clockwise", d.revolutions_clockwise);
  rotary.number("revolutions_counterclockwise", d.revolutions_counterclockwise);
  rotary.number("peak_rate_rev_s", d.peak_rate_rev_s);
  rotary.count("pauses", d.rotary_pauses);
  rotary.number("pause_s", d.rotary_pause_s);
  bool parts_ok = top.ok() && linear.ok() && rotary.ok();
  // Measured: null when the drive reported nothing.
  if (const json& measured = top.part("measured"); !measured.is_null()) {
    DoseFields m(measured);
    m.number("reported_s", d.measured_s);
    m.number("time_in_motion_s", d.measured_motion_s);
    m.number("peak_amplitude_deg", d.measured_peak_amplitude_deg);
    m.number("revolutions", d.measured_revolutions);
    parts_ok = parts_ok && m.ok();
  }
  const json& lights = top.part("light");
  if (!lights.is_array()) return std::nullopt;
  for (const json& entry : lights) {
    LightDose light;
    DoseFields l(entry);
    l.text("device", light.device);
    l.number("lit_s", light.lit_s);
    l.number("peak_brightness_pct", light.peak_brightness_pct);
    l.count("flashes", light.flashes);
    l.number("flashing_s", light.flashing_s);
    const json& colours = l.part("colour_s");
    for (std::size_t f = 0; f < kColourFamilies && colours.is_object(); ++f) {
      if (auto it = colours.find(std::string{kFamilyNames[f]});
          it != colours.end() && it->is_number()) {
        light.family_s[f] = it->get<double>();
      }
    }
    if (!l.ok() || !colours.is_object()) return std::nullopt;
    d.lights.push_back(std::move(light));
  }
  DoseFields sound(top.part("sound"));
  sound.number("playing_s", d.sound_playing_s);
  sound.number("leq_dba", d.sound_leq_dba);
  sound.number("peak_dba", d.sound_peak_dba);
  const json& players = sound.part("players");
  if (!sound.ok() || !players.is_array()) return std::nullopt;
  for (const json& entry : players) {
    SoundDose player;
    DoseFields p(entry);
    p.text("device", player.device);
    p.number("playing_s", player.playing_s);
    p.number("leq_dba", player.leq_dba);
    p.number("peak_dba", player.peak_dba);
    if (!p.ok()) return std::nullopt;
    d.sounds.push_back(std::move(player));
  }
  for (auto [key, count, seconds] :
       {std::tuple{"pauses", &d.pauses, &d.paused_s}, std::tuple{"trips", &d.trips, &d.tripped_s},
        std::tuple{"clamps", &d.clamps, &d.clamped_s}}) {
    DoseFields part(top.part(key));
    part.count("count", *count);
    part.number("time_s", *seconds);
    parts_ok = parts_ok && part.ok();
  }
  if (!parts_ok || !top.ok()) return std::nullopt;
  return logged;
}

}  // namespace sensoryd
