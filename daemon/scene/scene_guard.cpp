#include "daemon/scene/scene_guard.hpp"

#include <algorithm>

namespace sensoryd {

namespace {

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
      flash_(lights_.size(), room.limits.light.max_flashes_per_s),
      wanted_(lights_.size()),
      shown_(lights_.size()) {
  for (const auto& player : players_) {
    limiters_.emplace_back(room_.limits.sound, player.calibration);
    sound_levels_.push_back(0.0);
  }
  held_.reserve(lights_.size());
  clamped_now_.assign(2 * lights_.size() + players_.size(), 0);
  clamped_before_ = clamped_now_;
}

std::size_t SceneGuard::held_index(Held what, std::size_t device) const {
  switch (what) {
    case Held::light_brightness:
      return device;
    case Held::light_flash:
      return lights_.size() + device;
    case Held::player_level:
      break;
  }
  return 2 * lights_.size() + device;
}

template <typename MakeClamp>
void SceneGuard::note(Held what, std::size_t device, MakeClamp clamp) {
  std::size_t at = held_index(what, device);
  clamped_now_[at] = 1;
  if (!clamped_before_[at]) clamps_.push_back(clamp());
}

void SceneGuard::update(const Scene& planned, const config::Child* child, bool tripped,
                        Clock::time_point now) {
  std::fill(clamped_now_.begin(), clamped_now_.end(), 0);
  double max_brightness =
      child != nullptr ? child->max_brightness_pct.value_or(100.0) : 100.0;  // S15
  flash_.set_no_flashing(child != nullptr && (child->has(config::ChildFlag::photosensitive) ||
                                              child->has(config::ChildFlag::epilepsy)));
  for (std::size_t i = 0; i < lights_.size(); ++i) {
    const std::string& id = lights_[i]->id();
    auto found = planned.lights.find(id);
    devices::LightCommand& command = wanted_[i];
    command = tripped || found == planned.lights.end() ? safe_command(room_.safe_scene, id)
                                                       : found->second;
    if (command.brightness_pct > max_brightness) {
      note(Held::light_brightness, i, [&] {
        return Clamp{"light",        id,  "max_brightness_pct", command.brightness_pct,
                     max_brightness, true};
      });
      command.brightness_pct = max_brightness;
    }
  }
  held_.clear();
  flash_.limit(wanted_, now, held_, shown_);
  for (std::size_t i : held_) {
    note(Held::light_flash, i, [&] {
      return Clamp{"light",
                   lights_[i]->id(),
                   "flash",
                   light_level(wanted_[i]),
                   light_level(shown_[i]),
                   child != nullptr && child->has(config::ChildFlag::photosensitive)};
    });
  }
  for (std::size_t i = 0; i < lights_.size(); ++i) lights_[i]->apply(shown_[i], now);

  for (std::size_t i = 0; i < players_.size(); ++i) {
    SoundLimiter& limiter = limiters_[i];
    std::optional<double> child_cap = child ? child->max_dba : std::nullopt;
    limiter.set_child_cap(child_cap);
    auto out = limiter.update(planned.sound, tripped, now);
    if (out.clamped) {
      note(Held::player_level, i, [&] {
        return Clamp{"sound",           players_[i].device->id(),
                     "max_dba",         planned.sound.level_dba,
                     limiter.cap_dba(), child_cap && *child_cap < room_.limits.sound.max_dba};
      });
    }
    sound_levels_[i] = out.level_dba;
    players_[i].device->apply(out.command, now);
  }
  clamped_before_.swap(clamped_now_);
  clamping_ = std::find(clamped_before_.begin(), clamped_before_.end(), 1) != clamped_before_.end();
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
