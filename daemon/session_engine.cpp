#include "daemon/session_engine.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace sensoryd {

namespace {

using Seconds = std::chrono::duration<double>;

SwingTarget scaled(const config::SwingSetting& s, double intensity) {
  if (s.mode == config::SwingMode::off) return SwingTarget{config::SwingMode::off, 0.0, s.period_s};
  return SwingTarget{s.mode, s.amplitude_deg * intensity, s.period_s};
}

std::string utc_stamp(std::chrono::system_clock::time_point wall) {
  std::time_t t = std::chrono::system_clock::to_time_t(wall);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

const char* to_string(SessionState state) {
  return state == SessionState::running ? "running" : "idle";
}

std::string SessionEngine::start(const config::Profile& profile, const StartRequest& request,
                                 Clock::time_point now,
                                 std::chrono::system_clock::time_point wall_now) {
  profile_ = profile;
  request_ = request;
  request_.intensity = std::clamp(request.intensity, 0.0, 1.0);
  started_at_ = now;
  state_ = SessionState::running;
  char counter[8];
  std::snprintf(counter, sizeof counter, "%04d", ++sessions_started_ % 10000);
  session_id_ = utc_stamp(wall_now) + "-" + room_id_ + "-" + counter;
  current_step_ = 0;
  events_.push_back({EngineEvent::Type::session_started, 0, profile_.steps.front().name, {}});
  return session_id_;
}

void SessionEngine::stop(const std::string& reason, Clock::time_point) {
  if (state_ == SessionState::idle) return;
  state_ = SessionState::idle;
  current_step_ = -1;
  events_.push_back({EngineEvent::Type::session_ended, -1, {}, reason});
}

int SessionEngine::step_at(Clock::time_point now) const {
  auto elapsed = now - started_at_;
  Clock::duration step_start{0};
  for (std::size_t i = 0; i < profile_.steps.size(); ++i) {
    step_start += profile_.steps[i].duration;
    if (elapsed < step_start) return static_cast<int>(i);
  }
  return -1;  // past the last step
}

SwingTarget SessionEngine::target_at(Clock::time_point now) const {
  Clock::duration step_start{0};
  for (int i = 0; i < current_step_; ++i) step_start += profile_.steps[i].duration;
  const config::Step& step = profile_.steps[current_step_];
  SwingTarget to = scaled(step.swing, request_.intensity);
  double into = Seconds(now - started_at_ - step_start).count();
  double fade = Seconds(step.fade).count();
  if (fade <= 0.0 || into >= fade) return to;
  SwingTarget from = current_step_ == 0
                         ? SwingTarget{}
                         : scaled(profile_.steps[current_step_ - 1].swing, request_.intensity);
  double f = std::clamp(into / fade, 0.0, 1.0);
  SwingTarget now_target;
  now_target.amplitude_deg = from.amplitude_deg + (to.amplitude_deg - from.amplitude_deg) * f;
  bool from_moving = from.mode != config::SwingMode::off;
  bool to_moving = to.mode != config::SwingMode::off;
  now_target.period_s = !from_moving ? to.period_s
                        : !to_moving ? from.period_s
                                     : from.period_s + (to.period_s - from.period_s) * f;
  now_target.mode =
      now_target.amplitude_deg > 0.0 ? config::SwingMode::linear : config::SwingMode::off;
  return now_target;
}

SwingTarget SessionEngine::update(Clock::time_point now) {
  if (state_ != SessionState::running) return SwingTarget{};
  int step = step_at(now);
  if (step < 0) {
    stop("completed", now);
    return SwingTarget{};
  }
  if (step != current_step_) {
    current_step_ = step;
    events_.push_back({EngineEvent::Type::step_changed, step, profile_.steps[step].name, {}});
  }
  return target_at(now);
}

SessionSnapshot SessionEngine::snapshot(Clock::time_point now) const {
  SessionSnapshot s;
  s.state = state_;
  if (state_ == SessionState::idle) return s;
  s.profile_id = profile_.id;
  s.session_id = session_id_;
  s.intensity = request_.intensity;
  s.child = request_.child;
  s.therapist = request_.therapist;
  s.step_index = current_step_;
  s.step_name = profile_.steps[current_step_].name;
  double elapsed = std::max(0.0, Seconds(now - started_at_).count());
  double total = Seconds(profile_.total_duration()).count();
  double step_end = 0.0;
  for (int i = 0; i <= current_step_; ++i) step_end += Seconds(profile_.steps[i].duration).count();
  s.elapsed_s = elapsed;
  s.remaining_s = std::max(0.0, total - elapsed);
  s.step_remaining_s = std::max(0.0, step_end - elapsed);
  return s;
}

std::vector<EngineEvent> SessionEngine::take_events() {
  std::vector<EngineEvent> taken;
  taken.swap(events_);
  return taken;
}

}  // namespace sensoryd
