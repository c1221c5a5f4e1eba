// What a profile preview costs (docs/profiles.md, #28: at most 200 ms for a 60-minute profile):
// the example room's "Calm down" stretched to 60 minutes (twelve 5-minute steps, each with
// swing, light and sound), computed and rendered as profile_preview's reply, for c-022 (whose
// caps clamp it) and for no child. In-process, as the authoring thread computes it; prints
// milliseconds per preview and the reply's size.
//   sensoryd-bench-preview [RUNS]   (default 20)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "config/loader.hpp"
#include "daemon/preview/profile_preview.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

sensoryd::config::Profile hour_long(const sensoryd::config::Profile& calm) {
  sensoryd::config::Profile profile = calm;
  profile.id = "calm-hour";
  profile.steps.clear();
  for (int i = 0; i < 12; ++i) {
    sensoryd::config::Step step = calm.steps[static_cast<std::size_t>(i) % calm.steps.size()];
    step.name = "part-" + std::to_string(i + 1);
    step.duration = 5min;
    if (!step.sound) step.sound = calm.steps.front().sound;
    if (step.lights.empty()) step.lights = calm.steps.front().lights;
    profile.steps.push_back(step);
  }
  return profile;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  if (runs <= 0) {
    std::cerr << "usage: sensoryd-bench-preview [RUNS]\n";
    return 64;
  }
  auto loaded = sensoryd::config::load_room(SENSORYD_SOURCE_DIR "/config/examples/room.toml");
  if (!loaded.room) {
    std::cerr << "the example room does not load\n";
    return 1;
  }
  const auto& room = *loaded.room;
  auto profile = hour_long(room.profiles.at("calm-down"));
  std::printf(
      "preview of a %lld-minute profile (%zu steps), %d runs each\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::minutes>(profile.total_duration()).count()),
      profile.steps.size(), runs);
  for (const char* child : {"c-022", ""}) {
    std::vector<double> ms;
    std::vector<double> computing;
    std::size_t bytes = 0;
    std::size_t samples = 0;
    for (int i = 0; i < runs; ++i) {
      auto begin = Clock::now();
      auto result = sensoryd::preview::compute_preview(room, profile, {child, 1.0, 30s, 20ms});
      const auto* preview = std::get_if<sensoryd::preview::Preview>(&result);
      if (preview == nullptr) {
        std::cerr << "preview refused: " << std::get<1>(result).message << "\n";
        return 1;
      }
      computing.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
      std::string reply = sensoryd::preview::preview_json(*preview).dump();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
      bytes = reply.size();
      samples = preview->samples.size();
    }
    std::sort(ms.begin(), ms.end());
    std::sort(computing.begin(), computing.end());
    std::printf(
        "  child %-6s %zu samples, reply %zu bytes: p50 %.1f ms, max %.1f ms (bound 200 ms); "
        "of which computing p50 %.1f ms\n",
        *child ? child : "none", samples, bytes, ms[ms.size() / 2], ms.back(),
        computing[computing.size() / 2]);
  }
  return 0;
}
