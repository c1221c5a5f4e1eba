#include "daemon/record/dose_sampler.hpp"

#include <string>

namespace sensoryd {

void DoseSampler::begin(DoseMeter& meter) {
  std::vector<std::string> lights;
  for (const auto& light : scene_.lights()) lights.push_back(light->id());
  std::vector<std::string> players;
  for (const auto& player : scene_.players()) players.push_back(player.device->id());
  meter.begin(std::move(lights), std::move(players));
  sample_ = DoseSample{};
  sample_.lights.resize(scene_.lights().size());
  sample_.sounds.resize(scene_.players().size());
  transitions_.assign(scene_.lights().size(), TransitionDetector{});
}

const DoseSample& DoseSampler::fill(double seconds, bool paused) {
  DoseSample& s = sample_;
  s.seconds = seconds;
  s.paused = paused;
  s.tripped = !supervisor_.interlocks().causes().empty();
  s.clamped = supervisor_.clamping() || scene_.clamping();
  s.swing = supervisor_.swing_output();
  s.rotary_held = supervisor_.rotary_held();
  const devices::SwingReading& reading = supervisor_.swing().reading();
  s.measured = reading.valid;
  s.measured_amplitude_deg = reading.amplitude_deg;
  s.measured_speed_rev_s = reading.speed_rev_s;
  s.measured_angle_deg = reading.angle_deg;
  for (std::size_t i = 0; i < s.lights.size(); ++i) {
    const devices::LightCommand& command = scene_.shown(i);
    s.lights[i].color = command.color;
    s.lights[i].brightness_pct = command.brightness_pct;
    s.lights[i].transitions = transitions_[i].show(light_level(command)) != 0 ? 1 : 0;
  }
  for (std::size_t i = 0; i < s.sounds.size(); ++i) {
    s.sounds[i].level_dba = scene_.sound_level_dba(i);
  }
  return s;
}

}  // namespace sensoryd
