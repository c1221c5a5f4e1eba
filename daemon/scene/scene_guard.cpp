#include "daemon/scene/scene_guard.hpp"

#include <algorithm>

namespace sensoryd {

namespace {

std::vector<std::string> fixture_ids(
    const std::vector<std::unique_ptr<devices::LightFixture>>& lights) {
  std::vector<std::string> ids;
  for (const auto& light : lights) ids.push_back(light->id());
  return ids;
}

devices::LightCommand safe_command(const config::SafeScene& safe, const std::string& id) {
  if (auto it = safe.fixtures.find(id); it != safe.fixtures.end()) {
    return {it->second.first, it->second.second};
  }
  return {safe.color, safe.brightness_pct};
}

}  // namespace

SceneGuard::SceneGuard(const config::Room& room,
                       std::vector<std::unique_ptr<devices::LightFixture>> lights,
                       std::vector<Player> players)
    : room_(room),
      lights_(std::move(lights)),
      players_(std::move(players)),
      flash_(fixture_ids(lights_), room.limits.light.max_flashes_per_s) {
  for (const auto& player : players_) {
    limiters_.emplace_back(room_.limits.sound, player.calibration);
    sound_levels_.push_back(0.0);
  }
  // Each fixture's entries, made once: a map's entries stay where they are, so a tick reaches
  // them without a lookup by name.
  for (const auto& light : lights_) {
    wanted_at_.push_back(&wanted_[light->id()]);
    shown_at_.push_back(&shown_[light->id()]);
  }
}

void SceneGuard::note(std::set<std::string>& active, const std::string& key, bool now_clamped,
                      Clamp clamp) {
  if (!now_clamped) return;
  active.insert(key);
  if (clamped_.count(key) == 0) clamps_.push_back(std::move(clamp));
}

void SceneGuard::update(const Scene& planned, const config::Child* child, bool tripped,
                        Clock::time_point now) {
  std::set<std::string> clamped;
  double max_brightness =
      child != nullptr ? child->max_brightness_pct.value_or(100.0) : 100.0;  // S15
  flash_.set_no_flashing(child != nullptr && (child->has(config::ChildFlag::photosensitive) ||
                                              child->has(config::ChildFlag::epilepsy)));
  for (std::size_t i = 0; i < lights_.size(); ++i) {
    const auto& light = lights_[i];
    auto found = planned.lights.find(light->id());
    devices::LightCommand command = tripped || found == planned.lights.end()
                                        ? safe_command(room_.safe_scene, light->id())
                                        : found->second;
    if (command.brightness_pct > max_brightness) {
      note(clamped, "light/" + light->id() + "/max_brightness_pct", true,
           {"light", light->id(), "max_brightness_pct", command.brightness_pct, max_brightness,
            true});
      command.brightness_pct = max_brightness;
    }
    *wanted_at_[i] = command;
  }
  held_.clear();
  flash_.limit(wanted_, now, held_, shown_);
  for (const auto& id : held_) {
    note(clamped, "light/" + id + "/flash", true,
         {"light", id, "flash", light_level(wanted_[id]), light_level(shown_[id]),
          child != nullptr && child->has(config::ChildFlag::photosensitive)});
  }
  for (std::size_t i = 0; i < lights_.size(); ++i) lights_[i]->apply(*shown_at_[i], now);

  for (std::size_t i = 0; i < players_.size(); ++i) {
    SoundLimiter& limiter = limiters_[i];
    std::optional<double> child_cap = child ? child->max_dba : std::nullopt;
    limiter.set_child_cap(child_cap);
    auto out = limiter.update(planned.sound, tripped, now);
    const std::string& id = players_[i].device->id();
    if (out.clamped) {  // the key and the clamp only then: this runs every tick
      note(clamped, "sound/" + id + "/max_dba", true,
           {"sound", id, "max_dba", planned.sound.level_dba, limiter.cap_dba(),
            child_cap && *child_cap < room_.limits.sound.max_dba});
    }
    sound_levels_[i] = out.level_dba;
    players_[i].device->apply(out.command, now);
  }
  clamped_ = std::move(clamped);
  bool silent = std::all_of(sound_levels_.begin(), sound_levels_.end(),
                            [](double level) { return level <= 0.0; });
  if (!silent) {
    silent_since_.reset();
  } else if (!silent_since_) {
    silent_since_ = now;
  }
}

std::vector<SceneGuard::Clamp> SceneGuard::take_clamps() {
  std::vector<Clamp> taken;
  taken.swap(clamps_);
  return taken;
}

}  // namespace sensoryd
