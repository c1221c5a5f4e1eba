#include <gtest/gtest.h>

#include "daemon/session_engine.hpp"

namespace sensoryd {
namespace {

using config::SwingMode;
using namespace std::chrono_literals;
using Clock = SessionEngine::Clock;

config::Profile profile() {
  config::Profile p;
  p.id = "calm";
  p.title = "Calm";
  p.purpose = "calming";
  p.steps.push_back({"settle", {SwingMode::linear, 10.0, 4.0}, 10s, 60s});
  p.steps.push_back({"gentle", {SwingMode::linear, 20.0, 6.0}, 20s, 60s});
  p.steps.push_back({"rest", {SwingMode::off, 0.0, 0.0}, 10s, 30s});
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
  engine.stop("stopped", t0);
  EXPECT_EQ(engine.start(profile(), {}, t0, wall), "2026-11-28T03:22:11Z-room-1-0002");
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
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, EngineEvent::Type::step_changed);
  EXPECT_EQ(events[1].step_name, "gentle");
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
  EXPECT_DOUBLE_EQ(s.step_remaining_s, 50.0);
  EXPECT_EQ(s.child, "c-1");
}

TEST_F(Engine, ARunningSessionKeepsItsOwnCopyOfTheProfile) {
  config::Profile p = profile();
  engine.start(p, {}, t0, wall);
  p.steps[0].swing.amplitude_deg = 1.0;  // a reload would change the shared profile
  EXPECT_DOUBLE_EQ(engine.update(t0 + 30s).amplitude_deg, 10.0);
}

TEST_F(Engine, StopEndsTheSessionWithItsReason) {
  engine.start(profile(), {}, t0, wall);
  engine.stop("stopped", t0 + 1s);
  EXPECT_EQ(engine.state(), SessionState::idle);
  EXPECT_EQ(engine.take_events().back().reason, "stopped");
}

}  // namespace
}  // namespace sensoryd
