// What the simulated lights and players received, rebuilt from their recordings: light levels
// over time (S9 counts flashes on them) and sound levels at the listener through the room's
// calibration (S11).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/device_model.hpp"
#include "tests/support/flash_count.hpp"

namespace sensoryd::test {

// The calibration SimulatedRoom's scene uses.
inline config::Calibration room_calibration() {
  return {"room", {{0, 20.0}, {20, 45.0}, {40, 56.0}, {60, 65.0}, {80, 73.0}, {100, 80.0}}};
}

// A Modbus DMX/LED light (red, green, blue, dimmer written one register at a time).
inline std::vector<LevelSample> modbus_light_levels(const std::vector<nlohmann::json>& recording,
                                                    int unit) {
  std::vector<LevelSample> levels;
  int r = 0, g = 0, b = 0, dimmer = 0;
  for (const auto& line : recording) {
    if (line.value("type", "") != "write" || line.value("unit", 0) != unit) continue;
    std::string name = line.value("name", "");
    int value = line.value("value", 0);
    if (name == "red") r = value;
    if (name == "green") g = value;
    if (name == "blue") b = value;
    if (name == "dimmer") dimmer = value;
    levels.push_back({line.value("t", 0.0), level_of(r, g, b, dimmer / 2.55)});
  }
  return levels;
}

// A zigbee2mqtt light: each /set message is a whole state.
inline std::vector<LevelSample> mqtt_light_levels(const std::vector<nlohmann::json>& recording,
                                                  const std::string& device) {
  std::vector<LevelSample> levels;
  for (const auto& line : recording) {
    if (line.value("type", "") != "message" || line.value("device", "") != device) continue;
    const auto& p = line["payload"];
    unsigned r = 255, g = 255, b = 255;
    if (p.contains("color")) {
      std::sscanf(p["color"].value("hex", "#ffffff").c_str(), "#%02x%02x%02x", &r, &g, &b);
    }
    double pct = p.value("state", "OFF") == "ON" ? p.value("brightness", 0) / 2.54 : 0.0;
    levels.push_back({line.value("t", 0.0), level_of(static_cast<int>(r), static_cast<int>(g),
                                                     static_cast<int>(b), pct)});
  }
  return levels;
}

struct SoundSample {
  double t_s = 0.0;
  double dba = 0.0;  // 0 while stopped or muted
};

inline std::vector<SoundSample> mqtt_player_levels(const std::vector<nlohmann::json>& recording,
                                                   const std::string& device) {
  std::vector<SoundSample> levels;
  auto calibration = room_calibration();
  for (const auto& line : recording) {
    if (line.value("type", "") != "message" || line.value("device", "") != device) continue;
    const auto& p = line["payload"];
    bool playing = p.value("state", "stop") == "play";
    levels.push_back(
        {line.value("t", 0.0), playing ? calibration.dba_at(p.value("volume", 0.0)) : 0.0});
  }
  return levels;
}

// A Modbus amplifier (volume register 0, mute register 1).
inline std::vector<SoundSample> amplifier_levels(const std::vector<nlohmann::json>& recording,
                                                 int unit) {
  std::vector<SoundSample> levels;
  auto calibration = room_calibration();
  int volume = 0;
  bool muted = true;
  for (const auto& line : recording) {
    if (line.value("type", "") != "write" || line.value("unit", 0) != unit) continue;
    std::string name = line.value("name", "");
    if (name == "volume") volume = line.value("value", 0);
    if (name == "mute") muted = line.value("value", 1) != 0;
    levels.push_back({line.value("t", 0.0), muted ? 0.0 : calibration.dba_at(volume)});
  }
  return levels;
}

// The largest rise of the level within any window of `window_s`.
inline double max_rise(const std::vector<SoundSample>& levels, double window_s = 1.0) {
  double most = 0.0;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    double from = levels[i].dba > 0.0 ? levels[i].dba : room_calibration().dba_at(0);
    for (std::size_t j = i + 1; j < levels.size() && levels[j].t_s - levels[i].t_s <= window_s;
         ++j) {
      most = std::max(most, levels[j].dba - from);
    }
  }
  return most;
}

}  // namespace sensoryd::test
