// Runs one session profile as a timeline: which step is active, how far its fade has come, and
// what the swing should do now. Deterministic: every call takes the time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/swing_limiter.hpp"

namespace sensoryd {

enum class SessionState { idle, running };
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
  std::string reason;  // for session_ended: completed, stopped, device_lost, ...
};

struct SessionSnapshot {
  SessionState state = SessionState::idle;
  std::string profile_id;
  std::string session_id;
  int step_index = -1;
  std::string step_name;
  double step_remaining_s = 0.0;
  double elapsed_s = 0.0;
  double remaining_s = 0.0;
  double intensity = 1.0;
  std::string child;
  std::string therapist;
};

class SessionEngine {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionEngine(std::string room_id) : room_id_(std::move(room_id)) {}

  // Starts a session on a copy of the profile, so a later reload never changes it.
  // Returns the session id. The caller checks that the room is idle and motion is allowed.
  std::string start(const config::Profile& profile, const StartRequest& request,
                    Clock::time_point now, std::chrono::system_clock::time_point wall_now);
  void stop(const std::string& reason, Clock::time_point now);

  // Advances the timeline to `now` and returns what the swing should do.
  SwingTarget update(Clock::time_point now);

  SessionState state() const { return state_; }
  // The current session's id, or the last one's after it ended.
  const std::string& session_id() const { return session_id_; }
  SessionSnapshot snapshot(Clock::time_point now) const;
  std::vector<EngineEvent> take_events();

 private:
  SwingTarget target_at(Clock::time_point now) const;
  int step_at(Clock::time_point now) const;

  std::string room_id_;
  int sessions_started_ = 0;
  SessionState state_ = SessionState::idle;
  config::Profile profile_;
  StartRequest request_;
  std::string session_id_;
  Clock::time_point started_at_{};
  int current_step_ = -1;
  std::vector<EngineEvent> events_;
};

}  // namespace sensoryd
