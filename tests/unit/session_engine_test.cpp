#include <gtest/gtest.h>

#include "daemon/session/session_engine.hpp"

namespace sensoryd {
namespace {

using config::SwingMode;
using namespace std::chrono_literals;
using Clock = SessionEngine::Clock;

config::Step step(std::string name, SwingMode mode, double amplitude, double period,
                  config::Millis fade, std::optional<config::Millis> duration,
                  config::Curve curve = config::Curve::linear) {
  config::Step s;
  s.name = std::move(name);
  s.swing = config::SwingSetting{.mode = mode,
                                 .amplitude_deg = amplitude,
                                 .period_s = period,
                                 .fade = config::Fade{fade, curve}};
  s.duration = duration;
  return s;
}

config::Profile profile() {
  config::Profile p;
  p.id = "calm";
  p.title = "Calm";
  p.purpose = "calming";
  p.steps.push_back(step("settle", SwingMode::linear, 10.0, 4.0, 10s, 60s));
  p.steps.push_back(step("gentle", SwingMode::linear, 20.0, 6.0, 20s, 60s));
  p.steps.push_back(step("rest", SwingMode::off, 0.0, 0.0, 10s, 30s));
  return p;
}

class Engine : public ::testing::Test {
 protected:
  Clock::time_point t0{std::chrono::hours(1)};
  std::chrono::system_clock::time_point wall{std::chrono::seconds(1'795'836'131)};
  SessionEngine engine{"room-1"};
};

TEST_F(Engine, IdleWantsTheSwingAtRest) {
  EXPECT_EQ(engine.update(t0), SwingTarget{});
  EXPECT_EQ(engine.state(), SessionState::idle);
}

TEST_F(Engine, SessionIdNamesTimeRoomAndCounter) {
  EXPECT_EQ(engine.start(profile(), {}, t0, wall), "2026-11-28T03:22:11Z-room-1-0001");
  engine.stop("stopped", t0, false);
  EXPECT_EQ(engine.start(profile(), {}, t0, wall), "2026-11-28T03:22:11Z-room-1-0002");
}

TEST_F(Engine, NumberingCarriesOnFromTheLogSoARestartNeverRepeatsAnId) {
  // A restart within the same second as the session it cut short must not reuse its id.
  engine.continue_numbering_after(9999);
  EXPECT_EQ(engine.start(profile(), {}, t0, wall), "2026-11-28T03:22:11Z-room-1-10000");
}

config::Step spin_step(std::string name, double rev_s, config::Direction direction,
                       config::Millis fade, config::Millis duration) {
  config::Step s;
  s.name = std::move(name);
  s.swing = config::SwingSetting{.mode = SwingMode::rotary,
                                 .speed_rev_s = rev_s,
                                 .direction = direction,
                                 .fade = config::Fade{fade, config::Curve::linear}};
  s.duration = duration;
  return s;
}

TEST_F(Engine, ASpinFadesItsSpeedScaledByIntensityAndAReversalIsAskedAtOnce) {
  using config::Direction;
  config::Profile p = profile();
  p.steps = {spin_step("spin", 0.4, Direction::counterclockwise, 4s, 20s),
             spin_step("back", 0.3, Direction::clockwise, 4s, 20s),
             step("sway", SwingMode::linear, 10.0, 4.0, 4s, 20s)};
  StartRequest request;
  request.intensity = 0.5;
  engine.start(p, request, t0, wall);
  SwingTarget half = engine.update(t0 + 2s);
  EXPECT_EQ(half.mode, SwingMode::rotary);
  EXPECT_EQ(half.direction, Direction::counterclockwise);
  EXPECT_DOUBLE_EQ(half.speed_rev_s, 0.1);  // half way from rest to 0.4 x 0.5
  EXPECT_DOUBLE_EQ(engine.update(t0 + 10s).speed_rev_s, 0.2);
  // The other direction is not blended through zero here: the limiter stops, pauses, reverses.
  SwingTarget back = engine.update(t0 + 21s);
  EXPECT_EQ(back.direction, Direction::clockwise);
  EXPECT_DOUBLE_EQ(back.speed_rev_s, 0.15);
  SwingTarget sway = engine.update(t0 + 41s);
  EXPECT_EQ(sway.mode, SwingMode::linear);
  EXPECT_DOUBLE_EQ(sway.amplitude_deg, 5.0);
  EXPECT_DOUBLE_EQ(sway.speed_rev_s, 0.0);
}

TEST_F(Engine, FadesFromRestIntoTheFirstStep) {
  engine.start(profile(), {}, t0, wall);
  SwingTarget half = engine.update(t0 + 5s);
  EXPECT_EQ(half.mode, SwingMode::linear);
  EXPECT_DOUBLE_EQ(half.amplitude_deg, 5.0);
  EXPECT_DOUBLE_EQ(half.period_s, 4.0);  // from rest the period applies at once
  SwingTarget held = engine.update(t0 + 30s);
  EXPECT_DOUBLE_EQ(held.amplitude_deg, 10.0);
}

TEST_F(Engine, FadesBetweenStepsOnEveryChannel) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 59s);
  SwingTarget quarter = engine.update(t0 + 65s);
  EXPECT_DOUBLE_EQ(quarter.amplitude_deg, 12.5);
  EXPECT_DOUBLE_EQ(quarter.period_s, 4.5);
  auto events = engine.take_events();
  ASSERT_EQ(events.size(), 3u);  // started, step 0, step 1
  EXPECT_EQ(events[2].type, EngineEvent::Type::step_changed);
  EXPECT_EQ(events[2].step_name, "gentle");
}

TEST_F(Engine, FadingToOffKeepsThePeriodAndEndsAtRest) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 100s);
  SwingTarget mid = engine.update(t0 + 125s);
  EXPECT_EQ(mid.mode, SwingMode::linear);
  EXPECT_DOUBLE_EQ(mid.amplitude_deg, 10.0);
  EXPECT_DOUBLE_EQ(mid.period_s, 6.0);
  EXPECT_EQ(engine.update(t0 + 131s).mode, SwingMode::off);
}

TEST_F(Engine, CompletesAfterTheLastStep) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 149s);
  EXPECT_EQ(engine.state(), SessionState::running);
  EXPECT_EQ(engine.update(t0 + 150s), SwingTarget{});
  EXPECT_EQ(engine.state(), SessionState::idle);
  auto events = engine.take_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, EngineEvent::Type::session_ended);
  EXPECT_EQ(events.back().reason, "completed");
}

TEST_F(Engine, IntensityScalesAmplitude) {
  engine.start(profile(), {"c-1", "ana", 0.5}, t0, wall);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 30s).amplitude_deg, 5.0);
}

TEST_F(Engine, SnapshotReportsProgress) {
  engine.start(profile(), {"c-1", "ana", 1.0}, t0, wall);
  engine.update(t0 + 70s);
  SessionSnapshot s = engine.snapshot(t0 + 70s);
  EXPECT_EQ(s.state, SessionState::running);
  EXPECT_EQ(s.step_index, 1);
  EXPECT_EQ(s.step_name, "gentle");
  EXPECT_DOUBLE_EQ(s.elapsed_s, 70.0);
  EXPECT_DOUBLE_EQ(s.remaining_s, 80.0);
  EXPECT_DOUBLE_EQ(*s.step_remaining_s, 50.0);
  EXPECT_EQ(s.child, "c-1");
}

TEST_F(Engine, ARunningSessionKeepsItsOwnCopyOfTheProfile) {
  config::Profile p = profile();
  engine.start(p, {}, t0, wall);
  p.steps[0].swing->amplitude_deg = 1.0;  // a reload would change the shared profile
  EXPECT_DOUBLE_EQ(engine.update(t0 + 30s).amplitude_deg, 10.0);
}

TEST_F(Engine, StopEndsTheSessionWithItsReason) {
  engine.start(profile(), {}, t0, wall);
  engine.stop("stopped", t0 + 1s, true);
  EXPECT_EQ(engine.state(), SessionState::idle);
  EXPECT_EQ(engine.take_events().back().reason, "stopped");
}

TEST_F(Engine, ASCurveFadeStartsAndEndsGently) {
  config::Profile p;
  p.id = "s";
  p.steps.push_back(step("in", SwingMode::linear, 10.0, 4.0, 10s, 60s, config::Curve::s_curve));
  engine.start(p, {}, t0, wall);
  EXPECT_NEAR(engine.update(t0 + 1s).amplitude_deg, 0.28, 1e-9);  // 10 * smoothstep(0.1)
  EXPECT_NEAR(engine.update(t0 + 5s).amplitude_deg, 5.0, 1e-9);
  EXPECT_NEAR(engine.update(t0 + 9s).amplitude_deg, 9.72, 1e-9);
}

TEST_F(Engine, AStepWithoutASwingSettingKeepsTheSwingAsItWas) {
  config::Profile p = profile();
  p.steps[1].swing.reset();
  engine.start(p, {}, t0, wall);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 90s).amplitude_deg, 10.0);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 90s).period_s, 4.0);
}

TEST_F(Engine, AWaitForGoStepHoldsUntilGo) {
  config::Profile p = profile();
  p.steps[1].duration.reset();
  engine.start(p, {}, t0, wall);
  engine.update(t0 + 60s);
  engine.update(t0 + 3600s);
  SessionSnapshot s = engine.snapshot(t0 + 3600s);
  EXPECT_EQ(s.step_name, "gentle");
  EXPECT_TRUE(s.waiting_for_go);
  EXPECT_FALSE(s.step_remaining_s.has_value());
  EXPECT_DOUBLE_EQ(engine.update(t0 + 3600s).amplitude_deg, 20.0);
  EXPECT_TRUE(engine.go(t0 + 3600s));
  EXPECT_EQ(engine.snapshot(t0 + 3601s).step_name, "rest");
  // The fade to rest starts where the swing was when "go" came, not from a jump.
  EXPECT_DOUBLE_EQ(engine.update(t0 + 3605s).amplitude_deg, 10.0);
  EXPECT_FALSE(engine.go(t0 + 3606s));  // "rest" is timed
}

TEST_F(Engine, LoopsRunTheirRangeTheGivenNumberOfTimes) {
  config::Profile p = profile();
  p.loop = config::Loop{0, 1, 3};  // settle+gentle three times, then rest
  EXPECT_EQ(p.total_duration(), 390s);
  engine.start(p, {}, t0, wall);
  std::vector<std::string> seen;
  for (auto t = t0; t <= t0 + 400s; t += 1s) {
    engine.update(t);
    for (const auto& e : engine.take_events()) {
      if (e.type == EngineEvent::Type::step_changed) seen.push_back(e.step_name);
      if (e.type == EngineEvent::Type::session_ended) seen.push_back("end:" + e.reason);
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"settle", "gentle", "settle", "gentle", "settle",
                                            "gentle", "rest", "end:completed"}));
}

TEST_F(Engine, StopRunsTheWindDownFromWhereTheSwingIs) {
  config::Profile p = profile();
  p.wind_down.push_back(step("down", SwingMode::off, 0.0, 0.0, 20s, 30s));
  engine.start(p, {}, t0, wall);
  engine.update(t0 + 30s);
  engine.take_events();
  engine.stop("stopped", t0 + 30s, true);
  EXPECT_EQ(engine.state(), SessionState::winding_down);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 40s).amplitude_deg, 5.0);  // half way from 10 to 0
  engine.stop("stopped", t0 + 41s, true);  // a second stop lets the wind-down finish
  EXPECT_EQ(engine.state(), SessionState::winding_down);
  engine.update(t0 + 60s);
  EXPECT_EQ(engine.state(), SessionState::idle);
  auto events = engine.take_events();
  EXPECT_EQ(events.back().reason, "stopped");
}

TEST_F(Engine, StopWithoutWindDownEndsAtOnce) {
  config::Profile p = profile();
  p.wind_down.push_back(step("down", SwingMode::off, 0.0, 0.0, 20s, 30s));
  engine.start(p, {}, t0, wall);
  engine.stop("shutdown", t0 + 30s, false);
  EXPECT_EQ(engine.state(), SessionState::idle);
  EXPECT_EQ(engine.update(t0 + 31s), SwingTarget{});
}

TEST_F(Engine, TheWindDownAlsoEndsACompletedProfile) {
  config::Profile p = profile();
  p.wind_down.push_back(step("down", SwingMode::off, 0.0, 0.0, 5s, 10s));
  engine.start(p, {}, t0, wall);
  engine.update(t0 + 150s);
  EXPECT_EQ(engine.state(), SessionState::winding_down);
  engine.update(t0 + 160s);
  EXPECT_EQ(engine.state(), SessionState::idle);
  EXPECT_EQ(engine.take_events().back().reason, "completed");
}

TEST_F(Engine, PauseRestsTheSwingAndFreezesTheTimeline) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 30s);
  ASSERT_TRUE(engine.pause(t0 + 30s));
  EXPECT_EQ(engine.state(), SessionState::paused);
  EXPECT_EQ(engine.update(t0 + 40s), SwingTarget{});
  EXPECT_EQ(engine.update(t0 + 500s), SwingTarget{});  // no step ends while paused
  SessionSnapshot s = engine.snapshot(t0 + 500s);
  EXPECT_EQ(s.step_name, "settle");
  EXPECT_DOUBLE_EQ(*s.step_remaining_s, 30.0);
  EXPECT_FALSE(engine.pause(t0 + 500s));
  EXPECT_FALSE(engine.go(t0 + 500s));
}

TEST_F(Engine, ResumeFadesBackFromRestAndContinuesTheStep) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 30s);
  engine.pause(t0 + 30s);
  ASSERT_TRUE(engine.resume(t0 + 100s));
  EXPECT_EQ(engine.state(), SessionState::running);
  // The step's 10 s fade, from rest, restarts at the resume.
  EXPECT_DOUBLE_EQ(engine.update(t0 + 105s).amplitude_deg, 5.0);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 115s).amplitude_deg, 10.0);
  // 30 s of "settle" were left at the pause: the next step begins 30 s after the resume.
  engine.update(t0 + 129s);
  EXPECT_EQ(engine.snapshot(t0 + 129s).step_name, "settle");
  engine.update(t0 + 130s);
  EXPECT_EQ(engine.snapshot(t0 + 130s).step_name, "gentle");
  EXPECT_FALSE(engine.resume(t0 + 131s));
}

TEST_F(Engine, AResumeAfterAShortFadeStillTakesItsTime) {
  config::Profile p = profile();
  p.steps[0].swing->fade.time = 0s;
  engine.start(p, {}, t0, wall);
  engine.update(t0 + 30s);
  engine.pause(t0 + 30s);
  engine.resume(t0 + 40s);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 42500ms).amplitude_deg, 5.0);  // half of the 5 s resume fade
}

TEST_F(Engine, StopWhilePausedRunsTheWindDownFromRest) {
  config::Profile p = profile();
  p.wind_down.push_back(step("down", SwingMode::off, 0.0, 0.0, 10s, 20s));
  engine.start(p, {}, t0, wall);
  engine.update(t0 + 30s);
  engine.pause(t0 + 30s);
  engine.stop("stopped", t0 + 35s, true);
  EXPECT_EQ(engine.state(), SessionState::winding_down);
  EXPECT_EQ(engine.update(t0 + 36s), SwingTarget{});
}

TEST_F(Engine, NextMovesOnAtOnceFadingFromWhereTheSwingIs) {
  engine.start(profile(), {}, t0, wall);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 5s).amplitude_deg, 5.0);  // halfway into "settle"
  ASSERT_TRUE(engine.next(t0 + 5s));
  EXPECT_EQ(engine.snapshot(t0 + 5s).step_name, "gentle");
  EXPECT_DOUBLE_EQ(engine.update(t0 + 5s).amplitude_deg, 5.0);    // no jump
  EXPECT_DOUBLE_EQ(engine.update(t0 + 15s).amplitude_deg, 12.5);  // 5 -> 20 over 20 s
  EXPECT_DOUBLE_EQ(engine.update(t0 + 25s).amplitude_deg, 20.0);
  // The step's own time starts at the next: "gentle" lasts 60 s from 5 s.
  engine.update(t0 + 64s);
  EXPECT_EQ(engine.snapshot(t0 + 64s).step_name, "gentle");
  engine.update(t0 + 66s);
  EXPECT_EQ(engine.snapshot(t0 + 66s).step_name, "rest");
}

TEST_F(Engine, NextOnTheLastStepEndsTheSessionAsIfItCompleted) {
  engine.start(profile(), {}, t0, wall);
  ASSERT_TRUE(engine.next(t0 + 1s));
  ASSERT_TRUE(engine.next(t0 + 2s));
  engine.take_events();
  ASSERT_TRUE(engine.next(t0 + 3s));
  EXPECT_EQ(engine.state(), SessionState::idle);
  auto events = engine.take_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().reason, "completed");
  EXPECT_FALSE(engine.next(t0 + 4s));
}

TEST_F(Engine, PreviousGoesBackAndTheFirstStepStartsOver) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 70s);  // in "gentle", fading 10 -> 20
  EXPECT_DOUBLE_EQ(engine.update(t0 + 70s).amplitude_deg, 15.0);
  ASSERT_TRUE(engine.previous(t0 + 70s));
  EXPECT_EQ(engine.snapshot(t0 + 70s).step_name, "settle");
  EXPECT_DOUBLE_EQ(engine.update(t0 + 70s).amplitude_deg, 15.0);  // no jump
  EXPECT_DOUBLE_EQ(engine.update(t0 + 80s).amplitude_deg, 10.0);  // back to settle's 10
  ASSERT_TRUE(engine.previous(t0 + 80s));
  EXPECT_EQ(engine.snapshot(t0 + 80s).step_name, "settle");
  EXPECT_DOUBLE_EQ(engine.snapshot(t0 + 80s).step_remaining_s.value_or(0), 60.0);
}

TEST_F(Engine, AdjustScalesTheIntensityWithAFadeNeverAJump) {
  engine.start(profile(), {}, t0, wall);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 30s).amplitude_deg, 10.0);
  ASSERT_TRUE(engine.adjust(0.5, t0 + 30s));
  EXPECT_DOUBLE_EQ(engine.update(t0 + 30s).amplitude_deg, 10.0);
  EXPECT_DOUBLE_EQ(engine.update(t0 + 31500ms).amplitude_deg, 7.5);  // over kAdjustFade, 3 s
  EXPECT_DOUBLE_EQ(engine.update(t0 + 40s).amplitude_deg, 5.0);
  EXPECT_DOUBLE_EQ(engine.snapshot(t0 + 40s).intensity, 0.5);
  // Later steps run at the new intensity too.
  EXPECT_DOUBLE_EQ(engine.update(t0 + 100s).amplitude_deg, 10.0);  // gentle's 20 x 0.5
}

TEST_F(Engine, AdjustWhilePausedTakesEffectOnResume) {
  engine.start(profile(), {}, t0, wall);
  engine.update(t0 + 30s);
  ASSERT_TRUE(engine.pause(t0 + 30s));
  ASSERT_TRUE(engine.adjust(0.3, t0 + 31s));
  EXPECT_EQ(engine.update(t0 + 32s), SwingTarget{});  // still paused: at rest
  ASSERT_TRUE(engine.resume(t0 + 40s));
  EXPECT_DOUBLE_EQ(engine.update(t0 + 50s).amplitude_deg, 3.0);
}

TEST_F(Engine, NextPreviousAndAdjustNeedASession) {
  EXPECT_FALSE(engine.next(t0));
  EXPECT_FALSE(engine.previous(t0));
  EXPECT_FALSE(engine.adjust(0.5, t0));
  engine.start(profile(), {}, t0, wall);
  engine.pause(t0 + 1s);
  EXPECT_FALSE(engine.next(t0 + 2s));  // paused: the therapist resumes first
  EXPECT_FALSE(engine.previous(t0 + 2s));
}

}  // namespace
}  // namespace sensoryd
