// S21 in the room: the functional checks of the supervisor's safety inputs. Each reading of the
// E-stop and the door is shown to FunctionalChecks; a press (an opening) has the drive's stop
// written again and acknowledged; each pass becomes a `safety_check_passed` record. SessionControl
// asks it whether a check is due before a start, and carries out the `check` command with it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/limits_model.hpp"
#include "daemon/safety/functional_checks.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "daemon/session/record.hpp"

namespace sensoryd {

class SafetyChecks {
 public:
  using Clock = std::chrono::steady_clock;
  using WallClock = std::chrono::system_clock;

  // `clock` times the drive's acknowledgement of a check's stop write (a test's simulated time).
  SafetyChecks(const config::CheckLimits& limits, SafetySupervisor& supervisor,
               FunctionalChecks::StartOfDay start_of_day = FunctionalChecks::local_day_start,
               std::function<Clock::time_point()> clock = Clock::now);
  SafetyChecks(const SafetyChecks&) = delete;
  SafetyChecks& operator=(const SafetyChecks&) = delete;

  // The last pass of each input, from the clinical log at start.
  void restore(const std::vector<FunctionalChecks::Pass>& passes);
  // Shows every safety input's reading to the checks (each tick, and when an input changed).
  // True when something the `safety` topic shows of the checks changed.
  bool observe(Clock::time_point now, WallClock::time_point wall_now);
  // The passes since the last call, as records.
  std::vector<Record> take_records();

  // The `check` command: `user` is about to press (open) `input`. Empty when accepted; else
  // the refusal's code and message.
  struct Refusal {
    std::string code;
    std::string message;
  };
  std::optional<Refusal> guide(const std::string& input, const std::string& user,
                               Clock::time_point now);
  // A start refused because a check is due, in sensoryd's words; none when none is due.
  std::optional<Refusal> due(WallClock::time_point wall_now) const;

  std::vector<FunctionalChecks::Status> status(WallClock::time_point wall_now) const {
    return checks_.status(wall_now);
  }
  bool empty() const { return checks_.empty(); }

 private:
  // What the `safety` topic shows of a check, compared at every tick to tell when it changed
  // (no text is built for it).
  struct Shown {
    FunctionalChecks::Stage stage = FunctionalChecks::Stage::unknown;
    std::string guided_by;
    bool due = false;
    std::optional<WallClock::time_point> last_at;
    bool operator==(const Shown&) const = default;
  };
  // Whether what the checks show differs from last_shown_; if so, last_shown_ becomes it.
  bool shown_changed(WallClock::time_point wall_now);

  SafetySupervisor& supervisor_;
  FunctionalChecks checks_;
  std::function<Clock::time_point()> clock_;
  std::vector<Record> records_;
  std::vector<Shown> last_shown_;
};

}  // namespace sensoryd
