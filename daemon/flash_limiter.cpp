#include "daemon/flash_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd {

namespace {
constexpr double kSignificantChange = 10.0;  // points of light level
constexpr double kDarkerBelow = 80.0;
}  // namespace

double light_level(const devices::LightCommand& c) {
  double luminance = (0.2126 * c.color.r + 0.7152 * c.color.g + 0.0722 * c.color.b) / 255.0;
  return std::clamp(c.brightness_pct, 0.0, 100.0) * luminance;
}

bool saturated_red(const devices::LightCommand& c) {
  int sum = c.color.r + c.color.g + c.color.b;
  return c.brightness_pct > 0.0 && sum > 0 && c.color.r >= 0.8 * sum;
}

int TransitionDetector::would_transition(double level) const {
  if (!started_) return 0;
  double change = level - extreme_;
  if (std::fabs(change) < kSignificantChange) return 0;
  if (std::min(level, extreme_) >= kDarkerBelow) return 0;
  int direction = change > 0 ? 1 : -1;
  return direction == direction_ ? 0 : direction;
}

int TransitionDetector::show(double level) {
  if (!started_) {
    started_ = true;
    extreme_ = level;
    return 0;
  }
  int transition = would_transition(level);
  if (transition != 0) {
    direction_ = transition;
    extreme_ = level;
  } else if ((direction_ >= 0 && level > extreme_) || (direction_ <= 0 && level < extreme_)) {
    // Still going the same way: the extreme moves with it. Before any transition, the extreme
    // follows small drifts either way.
    extreme_ = level;
  }
  return transition;
}

FlashLimiter::FlashLimiter(std::vector<std::string> fixtures, int max_flashes_per_s)
    : max_flashes_(std::max(max_flashes_per_s, 1)) {
  for (auto& id : fixtures) fixtures_.emplace(std::move(id), Fixture{});
}

void FlashLimiter::expire(std::deque<Clock::time_point>& times, Clock::time_point now) {
  // Strictly older than the window: the next change comes a tick after a full second.
  while (!times.empty() && now - times.front() > kWindow) times.pop_front();
}

std::map<std::string, devices::LightCommand> FlashLimiter::limit(
    const std::map<std::string, devices::LightCommand>& wanted, Clock::time_point now,
    std::vector<std::string>& held) {
  expire(room_transitions_, now);
  bool room_up_counted = false;
  bool room_down_counted = false;
  std::map<std::string, devices::LightCommand> shown;
  for (const auto& [id, command] : wanted) {
    auto found = fixtures_.find(id);
    if (found == fixtures_.end()) continue;  // not a fixture of this room
    Fixture& f = found->second;
    expire(f.transitions, now);
    expire(f.red_transitions, now);
    double level = light_level(command);
    int transition = f.started ? f.detector.would_transition(level) : 0;
    if (transition != 0) {
      bool red = saturated_red(command) || f.shown_red;
      // Red may change at most once a window, and not within a window of another change.
      bool fixture_ok = static_cast<int>(f.transitions.size()) < budget() &&
                        (!red || f.transitions.empty()) && f.red_transitions.empty();
      bool& room_counted = transition > 0 ? room_up_counted : room_down_counted;
      bool room_ok = room_counted || static_cast<int>(room_transitions_.size()) < budget();
      if (!fixture_ok || !room_ok) {
        held.push_back(id);
        shown[id] = f.shown;
        continue;
      }
      f.transitions.push_back(now);
      if (red) f.red_transitions.push_back(now);
      if (!room_counted) {
        room_transitions_.push_back(now);
        room_counted = true;
      }
    }
    f.detector.show(level);
    f.started = true;
    f.shown = command;
    f.shown_red = saturated_red(command);
    shown[id] = command;
  }
  return shown;
}

}  // namespace sensoryd
