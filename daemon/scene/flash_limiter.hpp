// The flash limiter (docs/safety.md S9): no fixture, and not the room as a whole, may show more
// than the allowed flashes in any 1 s window; saturated red may not flash at all. A flash is a pair
// of opposing changes in light level of at least 10 points where the darker state is below 80%.
// A change that would break the limit is not passed on: the fixture holds its level until the
// window allows it.
#pragma once

#include <chrono>
#include <deque>
#include <vector>

#include "devices/light_fixture.hpp"

namespace sensoryd {

// The light level a command shows, 0-100: brightness times the colour's relative luminance
// (Rec. 709 weights on the channel values).
double light_level(const devices::LightCommand& command);
// R/(R+G+B) >= 0.8 while lit.
bool saturated_red(const devices::LightCommand& command);

// Turns a fixture's stream of levels into changes ("transitions"): a rise counts once the level
// is 10 points above the lowest point since the last rise (which is below 80), a fall once it
// is 10 points below the highest since the last fall and under 80. Two opposing transitions are
// one flash.
class TransitionDetector {
 public:
  // The direction (+1, -1) of the transition `level` would make now; 0 when none.
  int would_transition(double level) const;
  // `level` carries the last transition further (a new high after a rise, a new low after a
  // fall): the change is still going on.
  bool would_extend(double level) const {
    return (direction_ == 1 && level > high_) || (direction_ == -1 && level < low_);
  }
  // Takes `level` as shown; returns the transition it made, if any.
  int show(double level);

 private:
  bool started_ = false;
  double low_ = 0.0;
  double high_ = 0.0;
  int direction_ = 0;  // of the last transition
};

class FlashLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kWindow{1};

  // `fixtures`: how many the room has; each is known by its index from then on.
  // `max_flashes_per_s` from limits.light. Transitions allowed in a window: 2 * max - 1, so
  // that no window can hold `max + 1` flashes even with a second's edges counted either way.
  FlashLimiter(std::size_t fixtures, int max_flashes_per_s);

  // A photosensitive child: no flashing at all (one transition a window, never a pair).
  void set_no_flashing(bool no_flashing) { no_flashing_ = no_flashing; }

  // One tick: `wanted` per fixture (by index) in, what may be shown out into `shown` (resized
  // to match; kept by the caller from tick to tick, it allocates nothing). The indexes of
  // fixtures whose change was held back are added to `held`.
  void limit(const std::vector<devices::LightCommand>& wanted, Clock::time_point now,
             std::vector<std::size_t>& held, std::vector<devices::LightCommand>& shown);

 private:
  struct Fixture {
    TransitionDetector detector;
    std::deque<Clock::time_point> transitions;
    std::deque<Clock::time_point> red_transitions;  // involving saturated red
    devices::LightCommand shown;
    bool shown_red = false;
    // The last transition (kept past the window, for a change that goes on): when, whether it
    // involved saturated red, and its entry in the room's window.
    Clock::time_point last_transition{};
    bool last_red = false;
    Clock::time_point last_room_transition{};
    bool started = false;
  };
  static void expire(std::deque<Clock::time_point>& times, Clock::time_point now);
  int budget() const { return no_flashing_ ? 1 : 2 * max_flashes_ - 1; }

  int max_flashes_;
  bool no_flashing_ = false;
  std::vector<Fixture> fixtures_;
  // The room: simultaneous changes in the same direction are one change of the room's light.
  std::deque<Clock::time_point> room_transitions_;
};

}  // namespace sensoryd
