#include "daemon/session/session_engine.hpp"

#include "daemon/session/utc_time.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

namespace sensoryd {

namespace {

using Seconds = std::chrono::duration<double>;

double eased(double f, config::Curve curve) {
  f = std::clamp(f, 0.0, 1.0);
  if (curve == config::Curve::s_curve) return f * f * (3.0 - 2.0 * f);  // smoothstep
  return f;
}

}  // namespace

const char* to_string(SessionState state) {
  switch (state) {
    case SessionState::running:
      return "running";
    case SessionState::paused:
      return "paused";
    case SessionState::winding_down:
      return "winding_down";
    case SessionState::idle:
      return "idle";
  }
  return "idle";
}

const std::vector<config::Step>& SessionEngine::steps() const {
  return state_ == SessionState::winding_down ? profile_.wind_down : profile_.steps;
}

std::string SessionEngine::start(const config::Profile& profile, const StartRequest& request,
                                 Clock::time_point now,
                                 std::chrono::system_clock::time_point wall_now) {
  profile_ = profile;
  request_ = request;
  request_.intensity = std::clamp(request.intensity, 0.0, 1.0);
  started_at_ = now;
  state_ = SessionState::running;
  char counter[16];
  std::snprintf(counter, sizeof counter, "%04d", ++sessions_started_);
  session_id_ = utc_text(wall_now, UtcPrecision::seconds) + "-" + room_id_ + "-" + counter;
  loop_pass_ = 1;
  end_reason_.clear();
  index_ = -1;
  events_.push_back({EngineEvent::Type::session_started, 0, profile_.steps.front().name, {}});
  enter(0, now, SwingTarget{});
  return session_id_;
}

SwingTarget SessionEngine::swing_setting_at(int index) const {
  for (int i = index; i >= 0; --i) {
    const auto& swing = steps()[static_cast<std::size_t>(i)].swing;
    if (!swing) continue;
    if (swing->mode == config::SwingMode::off) return SwingTarget{config::SwingMode::off, 0.0, 0.0};
    if (swing->mode == config::SwingMode::rotary) {
      return SwingTarget{config::SwingMode::rotary, 0.0, 0.0,
                         swing->speed_rev_s * request_.intensity, swing->direction};
    }
    return SwingTarget{swing->mode, swing->amplitude_deg * request_.intensity, swing->period_s};
  }
  // Nothing set in this phase: the main steps leave the swing at rest; a wind-down starts
  // from where the session was.
  return state_ == SessionState::winding_down ? from_ : SwingTarget{};
}

void SessionEngine::enter(int index, Clock::time_point at, const SwingTarget& from) {
  from_ = from;
  index_ = index;
  step_started_at_ = at;
  fade_started_at_ = at;
  to_ = swing_setting_at(index);
  fade_ = step().swing ? step().swing->fade : config::Fade{};
  events_.push_back({EngineEvent::Type::step_changed, index, step().name, {}});
}

void SessionEngine::end(const std::string& reason) {
  state_ = SessionState::idle;
  index_ = -1;
  events_.push_back({EngineEvent::Type::session_ended, -1, {}, reason});
}

void SessionEngine::advance(Clock::time_point at) {
  SwingTarget current = target_at(at);
  int next = index_ + 1;
  if (state_ == SessionState::running && profile_.loop && index_ == profile_.loop->to &&
      loop_pass_ < profile_.loop->count) {
    ++loop_pass_;
    next = profile_.loop->from;
  }
  if (next < static_cast<int>(steps().size())) {
    enter(next, at, current);
    return;
  }
  if (state_ == SessionState::running && !profile_.wind_down.empty()) {
    end_reason_ = "completed";
    state_ = SessionState::winding_down;
    enter(0, at, current);
    return;
  }
  end(state_ == SessionState::winding_down ? end_reason_ : "completed");
}

void SessionEngine::stop(const std::string& reason, Clock::time_point now, bool wind_down) {
  if (state_ == SessionState::idle) return;
  if (wind_down && state_ == SessionState::winding_down) return;  // it is already ending
  if (wind_down && !profile_.wind_down.empty()) {
    end_reason_ = reason;
    SwingTarget current = target_at(now);
    state_ = SessionState::winding_down;
    enter(0, now, current);
    return;
  }
  end(reason);
}

bool SessionEngine::allows(Action action) const {
  bool running = state_ == SessionState::running;
  bool paused = state_ == SessionState::paused;
  switch (action) {
    case Action::start:
    case Action::check:     // a functional check needs no session, and is made with none
    case Action::validate:  // a sign-off is made of a room at rest
      return state_ == SessionState::idle;
    case Action::stop:  // during the wind-down: taken, and the wind-down runs to its end
    case Action::lease:
      return state_ != SessionState::idle;
    case Action::pause:
    case Action::next:
    case Action::previous:
      return running;
    case Action::resume:
      return paused;
    case Action::adjust:
      return running || paused;
    case Action::go:
      return running && step().wait_for_go();
    case Action::estop:
    case Action::reset:
    case Action::note:
    case Action::response:
      return true;
    case Action::profile_validate:  // authoring: nothing of the session's
    case Action::profile_preview:
    case Action::profile_save:
    case Action::profile_delete:
    case Action::profile_history:
    case Action::profile_restore:
    case Action::child_plan_save:
    case Action::child_plan_history:
      return false;
  }
  return false;
}

bool SessionEngine::pause(Clock::time_point now, std::string reason) {
  if (!allows(Action::pause)) return false;
  update(now);
  if (state_ != SessionState::running) return false;  // the profile ended just now
  state_ = SessionState::paused;
  paused_at_ = now;
  pause_reason_ = std::move(reason);
  return true;
}

bool SessionEngine::resume(Clock::time_point now) {
  if (!allows(Action::resume)) return false;
  state_ = SessionState::running;
  step_started_at_ += now - paused_at_;  // the timeline stood still while paused
  from_ = SwingTarget{};                 // the swing comes back from rest
  fade_started_at_ = now;
  fade_.time = std::max<config::Millis>(fade_.time, kResumeFade);
  return true;
}

bool SessionEngine::go(Clock::time_point now) {
  if (!allows(Action::go)) return false;
  advance(now);
  return true;
}

bool SessionEngine::next(Clock::time_point now) {
  if (!allows(Action::next)) return false;
  update(now);
  if (state_ != SessionState::running) return false;  // the profile ended just now
  advance(now);
  return true;
}

bool SessionEngine::previous(Clock::time_point now) {
  if (!allows(Action::previous)) return false;
  update(now);
  if (state_ != SessionState::running) return false;
  enter(std::max(index_ - 1, 0), now, target_at(now));
  return true;
}

bool SessionEngine::adjust(double intensity, Clock::time_point now) {
  if (!allows(Action::adjust)) return false;
  if (state_ == SessionState::running) update(now);
  request_.intensity = std::clamp(intensity, 0.0, 1.0);
  if (state_ == SessionState::running) {
    from_ = target_at(now);
    fade_started_at_ = now;
    fade_.time = kAdjustFade;
  }
  to_ = swing_setting_at(index_);  // a paused session resumes at the new intensity
  return true;
}

SwingTarget SessionEngine::target_at(Clock::time_point now) const {
  // Paused: the swing rests (the limiter ramps it down); lights and sound stay calm.
  if (state_ == SessionState::idle || state_ == SessionState::paused || index_ < 0) {
    return SwingTarget{};
  }
  double fade = Seconds(fade_.time).count();
  double into = Seconds(now - fade_started_at_).count();
  if (fade <= 0.0 || into >= fade) return to_;
  double f = eased(into / fade, fade_.curve);
  using config::SwingMode;
  bool spin_from = from_.mode == SwingMode::rotary;
  bool spin_to = to_.mode == SwingMode::rotary;
  if (spin_from || spin_to) {
    // A spin fades its speed, from or to rest. Between linear and rotary, or to the other
    // direction, there is nothing to blend: the limiter brings the seat to rest first.
    bool same_spin = spin_from && spin_to && from_.direction == to_.direction;
    bool from_rest = from_.mode == SwingMode::off && spin_to;
    bool to_rest = spin_from && to_.mode == SwingMode::off;
    if (!same_spin && !from_rest && !to_rest) return to_;
    SwingTarget t = spin_to ? to_ : from_;
    t.speed_rev_s = from_.speed_rev_s + (to_.speed_rev_s - from_.speed_rev_s) * f;
    if (t.speed_rev_s <= 0.0) t = SwingTarget{};
    return t;
  }
  SwingTarget t;
  t.amplitude_deg = from_.amplitude_deg + (to_.amplitude_deg - from_.amplitude_deg) * f;
  bool from_moving = from_.mode != SwingMode::off;
  bool to_moving = to_.mode != SwingMode::off;
  t.period_s = !from_moving ? to_.period_s
               : !to_moving ? from_.period_s
                            : from_.period_s + (to_.period_s - from_.period_s) * f;
  t.mode = t.amplitude_deg > 0.0 ? SwingMode::linear : SwingMode::off;
  return t;
}

SwingTarget SessionEngine::update(Clock::time_point now) {
  // Timed steps end on their own schedule; the next begins where the last ended (no drift).
  while ((state_ == SessionState::running || state_ == SessionState::winding_down) &&
         step().duration && now >= step_started_at_ + *step().duration) {
    advance(step_started_at_ + *step().duration);
  }
  return target_at(now);
}

double SessionEngine::remaining_after_current() const {
  double total = 0.0;
  const auto& s = steps();
  auto duration = [&](int i) {
    return Seconds(s[static_cast<std::size_t>(i)].duration.value_or(config::Millis{0})).count();
  };
  for (int i = index_ + 1; i < static_cast<int>(s.size()); ++i) total += duration(i);
  bool main_phase = state_ == SessionState::running || state_ == SessionState::paused;
  if (main_phase && profile_.loop) {
    const auto& loop = *profile_.loop;
    int passes_left = loop.count - loop_pass_;
    double range = 0.0;
    for (int i = loop.from; i <= loop.to; ++i) range += duration(i);
    total += range * passes_left;
  }
  if (main_phase) {
    for (const auto& w : profile_.wind_down)
      total += Seconds(w.duration.value_or(config::Millis{0})).count();
  }
  return total;
}

Cue SessionEngine::cue() const {
  if (state_ == SessionState::idle) return Cue{};
  Cue cue;
  cue.state = state_;
  cue.profile = &profile_;
  cue.wind_down = state_ == SessionState::winding_down;
  cue.index = index_;
  cue.intensity = request_.intensity;
  cue.child = request_.child;
  cue.session_id = session_id_;
  return cue;
}

double SessionEngine::elapsed_s(Clock::time_point now) const {
  if (state_ == SessionState::idle) return 0.0;
  return std::max(0.0, Seconds(now - started_at_).count());
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
  s.step_index = index_;
  s.step_name = step().name;
  s.elapsed_s = elapsed_s(now);
  s.waiting_for_go = step().wait_for_go();
  if (state_ == SessionState::paused) {
    now = paused_at_;  // remaining times stand still
    s.pause_reason = pause_reason_;
  }
  double step_left = 0.0;
  if (step().duration) {
    step_left = std::max(0.0, Seconds(step_started_at_ + *step().duration - now).count());
    s.step_remaining_s = step_left;
  }
  s.remaining_s = step_left + remaining_after_current();
  return s;
}

std::vector<EngineEvent> SessionEngine::take_events() {
  std::vector<EngineEvent> taken;
  taken.swap(events_);
  return taken;
}

}  // namespace sensoryd
