// Counts flashes in a light's level over time the way docs/safety.md S9 defines them, written apart
// from the daemon's limiter so that tests check it, not repeat it: a flash is a pair of opposing
// changes of at least 10 points of light level where the darker state is below 80.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace sensoryd::test {

struct LevelSample {
  double t_s = 0.0;
  double level = 0.0;  // 0-100
};

// Light level as S9 measures it: brightness times Rec. 709 luminance of the colour.
inline double level_of(int r, int g, int b, double brightness_pct) {
  return brightness_pct * (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0;
}

// The times of every significant opposing change ("half a flash").
inline std::vector<double> transition_times(const std::vector<LevelSample>& samples) {
  std::vector<double> times;
  if (samples.empty()) return times;
  double low = samples[0].level;   // lowest since the last counted rise (or the start)
  double high = samples[0].level;  // highest since the last counted fall (or the start)
  int last = 0;                    // direction of the last counted change
  for (const auto& s : samples) {
    if (last != 1) low = std::min(low, s.level);
    if (last != -1) high = std::max(high, s.level);
    if (last != 1 && s.level - low >= 10.0 && low < 80.0) {
      times.push_back(s.t_s);
      last = 1;
      high = s.level;
    } else if (last != -1 && high - s.level >= 10.0 && s.level < 80.0) {
      times.push_back(s.t_s);
      last = -1;
      low = s.level;
    }
  }
  return times;
}

// The most flashes (pairs of changes) in any window of `window_s` seconds.
inline int max_flashes_in_window(const std::vector<double>& transitions, double window_s = 1.0) {
  int most = 0;
  for (std::size_t i = 0; i < transitions.size(); ++i) {
    std::size_t j = i;
    while (j < transitions.size() && transitions[j] - transitions[i] < window_s) ++j;
    most = std::max(most, static_cast<int>(j - i) / 2);
  }
  return most;
}

}  // namespace sensoryd::test
