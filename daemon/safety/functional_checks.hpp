// S21: whether each safety input (E-stop, door) has been seen to work, and when its next check
// falls due. An input works when it is seen to go from its normal state to its safe one
// (pressed, opened), the drive acknowledges the stop write that follows, and the input returns
// to normal. It may be seen in a guided check (a user asked: the check carries their name) or
// in ordinary use. Nothing here moves anything: the only write it asks for is a stop.
//
// Time is passed in: the steady clock for the press -> stop measurement, the wall clock for
// when a check falls due (across restarts, from the clinical log).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/device_model.hpp"
#include "config/limits_model.hpp"

namespace sensoryd {

class FunctionalChecks {
 public:
  using Clock = std::chrono::steady_clock;
  using WallClock = std::chrono::system_clock;
  // The start of the local day holding a time: a check of a day or longer falls due at the
  // start of the day its interval ends, so that it is done before that day's first session.
  using StartOfDay = std::function<WallClock::time_point(WallClock::time_point)>;
  // A guided check that sees no press for this long is given up.
  static constexpr std::chrono::minutes kGuideTimeout{10};

  struct Input {
    std::string id;
    config::InputRole role = config::InputRole::estop;
    std::optional<config::Millis> interval;  // none: the room switched the check off
  };
  // A check that passed.
  struct Pass {
    std::string input;
    config::InputRole role = config::InputRole::estop;
    WallClock::time_point at;
    std::string by;  // the user who asked for the guided check; empty: seen in ordinary use
    double press_to_stop_ms = 0.0;
  };
  // Where a check of one input stands.
  enum class Stage {
    unknown,          // no current reading, or first seen in its safe state: waiting for normal
    ready,            // seen in its normal state: a press (an opening) starts a check
    pressed,          // seen in its safe state; the stop write is under way
    stop_written,     // the drive acknowledged the stop: its return to normal passes the check
    stop_unconfirmed  // the stop write failed: no pass until the next press
  };
  struct Status {
    Input input;
    Stage stage = Stage::unknown;
    std::string guided_by;                        // a guided check under way, by this user
    std::optional<Pass> last;                     // the last pass, if any
    std::optional<WallClock::time_point> due_at;  // none: never due (off), or never checked
    bool due = false;
  };
  struct GuideResult {
    bool ok = false;
    std::string code;  // unknown_input, input_stale, release_first
    std::string message;
  };

  explicit FunctionalChecks(std::vector<Input> inputs, StartOfDay start_of_day = local_day_start);

  // The last pass of an input, read back from the clinical log at start.
  void restore(const Pass& pass);

  // A reading of a safety input. Returns true when it has just been seen in its safe state
  // after its normal one: the caller orders the drive's stop write and reports its outcome.
  bool observe(const std::string& id, bool fresh, bool safe_state, Clock::time_point now);
  // The outcome of the stop write ordered for the input's press.
  void stop_written(const std::string& id, bool ok, Clock::time_point at);
  // The passes since the last call, stamped with `wall_now`.
  std::vector<Pass> take_passes(WallClock::time_point wall_now);

  // A user asks to check an input now. It must be in its normal state with a current reading:
  // a check sees the transition, never a state it was already in.
  GuideResult guide(const std::string& id, const std::string& user, Clock::time_point now);
  // Gives up guided checks that saw no press in kGuideTimeout.
  void expire_guides(Clock::time_point now);

  // The first input whose check is due now, if any.
  std::optional<Status> first_due(WallClock::time_point wall_now) const;
  std::vector<Status> status(WallClock::time_point wall_now) const;
  bool empty() const { return checks_.empty(); }

  // Local midnight, from the system's time zone.
  static WallClock::time_point local_day_start(WallClock::time_point t);

 private:
  struct Check {
    Input input;
    Stage stage = Stage::unknown;
    std::string guided_by;
    Clock::time_point guided_at{};
    Clock::time_point pressed_at{};
    double press_to_stop_ms = 0.0;
    std::optional<Pass> last;
    // When the next check falls due (from `last` and the interval; none: off or never
    // checked): worked out when `last` changes, not at every look (it may need the time zone).
    std::optional<WallClock::time_point> due_at;
    bool passed_now = false;  // a pass not yet taken
  };
  Check* find(const std::string& id);
  void set_last(Check& check, const Pass& pass);
  Status status_of(const Check& check, WallClock::time_point wall_now) const;

  std::vector<Check> checks_;
  StartOfDay start_of_day_;
};

const char* to_string(FunctionalChecks::Stage stage);

}  // namespace sensoryd
