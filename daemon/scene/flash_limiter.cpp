#include "daemon/scene/flash_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd {

namespace {
// A hair on the safe side of S9's 10 points and 80%, so that rounding in how a level is
// computed can never let a change through uncounted that a meter would count.
constexpr double kSignificantChange = 10.0 - 0.01;  // points of light level
constexpr double kDarkerBelow = 80.0 + 0.01;
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
  // The lowest point since the last rise and the highest since the last fall, this level
  // included: a slow creep counts as soon as it adds up to a significant change.
  double low = direction_ != 1 ? std::min(low_, level) : low_;
  double high = direction_ != -1 ? std::max(high_, level) : high_;
  if (direction_ != 1 && level - low >= kSignificantChange && low < kDarkerBelow) return 1;
  if (direction_ != -1 && high - level >= kSignificantChange && level < kDarkerBelow) return -1;
  return 0;
}

int TransitionDetector::show(double level) {
  if (!started_) {
    started_ = true;
    low_ = high_ = level;
    return 0;
  }
  int transition = would_transition(level);
  if (direction_ != 1) low_ = std::min(low_, level);
  if (direction_ != -1) high_ = std::max(high_, level);
  if (transition == 1) high_ = level;
  if (transition == -1) low_ = level;
  if (transition != 0) direction_ = transition;
  return transition;
}

FlashLimiter::FlashLimiter(std::size_t fixtures, int max_flashes_per_s)
    : max_flashes_(std::max(max_flashes_per_s, 1)), fixtures_(fixtures) {}

void FlashLimiter::expire(std::deque<Clock::time_point>& times, Clock::time_point now) {
  // Strictly older than the window: the next change comes a tick after a full second.
  while (!times.empty() && now - times.front() > kWindow) times.pop_front();
}

void FlashLimiter::limit(const std::vector<devices::LightCommand>& wanted, Clock::time_point now,
                         std::vector<std::size_t>& held,
                         std::vector<devices::LightCommand>& shown) {
  expire(room_transitions_, now);
  bool room_up_counted = false;
  bool room_down_counted = false;
  shown.resize(fixtures_.size());
  for (std::size_t id = 0; id < fixtures_.size() && id < wanted.size(); ++id) {
    const devices::LightCommand& command = wanted[id];
    Fixture& f = fixtures_[id];
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
      f.last_transition = now;
      f.last_red = red;
      if (!room_counted) {
        room_transitions_.push_back(now);
        room_counted = true;
      }
      f.last_room_transition = room_transitions_.back();
    }
    if (transition == 0 && f.detector.would_extend(level)) {
      // A change still going on counts from where it ends, so that the next opposing change is
      // a full window after it, however the change was cut into ticks (and even when it began
      // more than a window ago).
      bool current = !f.transitions.empty() && f.transitions.back() == f.last_transition;
      if (current) {
        f.transitions.back() = now;
      } else {
        f.transitions.push_back(now);
      }
      if (f.last_red) {
        if (!f.red_transitions.empty() && f.red_transitions.back() == f.last_transition) {
          f.red_transitions.back() = now;
        } else {
          f.red_transitions.push_back(now);
        }
      }
      f.last_transition = now;
      if (!room_transitions_.empty() && room_transitions_.back() == f.last_room_transition) {
        room_transitions_.back() = now;
      } else {
        room_transitions_.push_back(now);
      }
      f.last_room_transition = now;
    }
    f.detector.show(level);
    f.started = true;
    f.shown = command;
    f.shown_red = saturated_red(command);
    shown[id] = command;
  }
}

}  // namespace sensoryd
