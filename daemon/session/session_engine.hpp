// Runs one session profile as a cue list: which step is active, how far each fade has come,
// loops, waits for the therapist's "go", and the wind-down. Deterministic: every call takes
// the time. The swing's target is computed here; light and sound follow the same cue (cue())
// in ScenePlanner.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "daemon/safety/swing_limiter.hpp"
#include "daemon/session/action.hpp"

namespace sensoryd {

enum class SessionState { idle, running, paused, winding_down };
const char* to_string(SessionState state);

struct StartRequest {
  std::string child;      // empty when none given
  std::string therapist;  // empty when none given
  double intensity = 1.0;
};

struct EngineEvent {
  enum class Type { session_started, step_changed, session_ended } type;
  int step_index = -1;
  std::string step_name;
  std::string reason;  // for session_ended: completed, stopped, device_lost, shutdown, ...
};

struct SessionSnapshot {
  SessionState state = SessionState::idle;
  std::string profile_id;
  std::string session_id;
  int step_index = -1;  // in the wind-down: index into the wind-down steps
  std::string step_name;
  std::optional<double> step_remaining_s;  // unset while waiting for "go"
  double elapsed_s = 0.0;
  double remaining_s = 0.0;  // timed steps still ahead; a wait for "go" counts as zero
  double intensity = 1.0;
  bool waiting_for_go = false;
  std::string pause_reason;  // while paused: "therapist" or the cause that paused it
  std::string child;
  std::string therapist;
  // What a command may do now (SessionControl fills it; the engine's own snapshot leaves it
  // empty): the tablet offers these and no others.
  std::vector<Action> allowed_actions;
};

// Where the session stands, for the light and sound channels (ScenePlanner), which follow the
// same cue list as the swing.
struct Cue {
  SessionState state = SessionState::idle;
  const config::Profile* profile = nullptr;  // null when idle
  bool wind_down = false;                    // the steps are the profile's wind-down
  int index = -1;
  double intensity = 1.0;
  std::string child;
  // A new id is a new session, even with no idle tick between. The engine's own text, valid
  // until its next start (a cue is made every tick: no copy).
  std::string_view session_id;
};

class SessionEngine {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionEngine(std::string room_id) : room_id_(std::move(room_id)) {}

  // Starts a session on a copy of the profile, so a later reload never changes it.
  // Returns the session id. The caller checks that the room is idle and motion is allowed.
  std::string start(const config::Profile& profile, const StartRequest& request,
                    Clock::time_point now, std::chrono::system_clock::time_point wall_now);
  // With `wind_down`, runs the profile's wind-down steps first (when it has any); a stop
  // during the wind-down lets it finish. Without, ends at once: the limiter ramps to rest.
  void stop(const std::string& reason, Clock::time_point now, bool wind_down);
  // The next session is numbered `sessions_before + 1` (the log's count after a restart).
  void continue_numbering_after(int sessions_before) { sessions_started_ = sessions_before; }
  // Releases a step that waits for the therapist. False when the current step does not wait.
  bool go(Clock::time_point now);
  // Moves to the next step now (from the last step: the wind-down, or the end), or back to the
  // start of the previous one (the first step starts over). Either fades from where the
  // outputs are, never jumping. False unless running.
  bool next(Clock::time_point now);
  bool previous(Clock::time_point now);
  // Scales the profile's intensity (0..1) from now on, fading from where the outputs are to
  // it over kAdjustFade. False unless running or paused.
  bool adjust(double intensity, Clock::time_point now);
  static constexpr std::chrono::seconds kAdjustFade{3};
  // Pause freezes the timeline and asks for the swing at rest; resume continues the step where
  // it was, fading back to its setting over its fade (at least kResumeFade). False when the
  // session is not running (pause) or not paused (resume).
  // `reason`: "therapist", or the cause that paused it (shown until resume).
  bool pause(Clock::time_point now, std::string reason = "therapist");
  bool resume(Clock::time_point now);
  static constexpr std::chrono::seconds kResumeFade{5};

  // Advances the timeline to `now` and returns what the swing should do.
  SwingTarget update(Clock::time_point now);

  SessionState state() const { return state_; }
  // Whether the session's state lets `action` act now: the one rule each command of the
  // session (start, stop, pause, resume, go, next, previous, adjust, lease) is refused by, and
  // what the room publishes as allowed (docs/mqtt-api.md, `allowed_actions`). Actions the
  // session's state does not decide (estop, reset, note, response) are always allowed here.
  bool allows(Action action) const;
  // The current session's id, or the last one's after it ended.
  const std::string& session_id() const { return session_id_; }
  SessionSnapshot snapshot(Clock::time_point now) const;
  // Seconds since the session started (0 when idle): what the length cap counts, each tick.
  double elapsed_s(Clock::time_point now) const;
  Cue cue() const;
  std::vector<EngineEvent> take_events();

 private:
  const std::vector<config::Step>& steps() const;
  const config::Step& step() const { return steps()[static_cast<std::size_t>(index_)]; }
  void enter(int index, Clock::time_point at, const SwingTarget& from);
  void advance(Clock::time_point at);
  void end(const std::string& reason);
  SwingTarget swing_setting_at(int index) const;  // the last swing setting up to `index`
  SwingTarget target_at(Clock::time_point now) const;
  double remaining_after_current() const;

  std::string room_id_;
  int sessions_started_ = 0;
  SessionState state_ = SessionState::idle;
  config::Profile profile_;
  StartRequest request_;
  std::string session_id_;
  Clock::time_point started_at_{};
  int index_ = -1;     // into steps() of the current phase
  int loop_pass_ = 1;  // which pass of the profile's loop is running
  Clock::time_point step_started_at_{};
  Clock::time_point fade_started_at_{};
  Clock::time_point paused_at_{};
  std::string pause_reason_;
  SwingTarget from_;  // what was wanted when the step began: fades start there
  SwingTarget to_;    // what the step wants once its fade is done
  config::Fade fade_;
  std::string end_reason_;  // why the wind-down runs
  std::vector<EngineEvent> events_;
};

}  // namespace sensoryd
