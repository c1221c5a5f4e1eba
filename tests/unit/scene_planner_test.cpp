// Light and sound channels of a session at simulated time: the safe scene when idle or paused,
// fades, effects, the strobe cap, intensity, triggers, and the wind-down.
#include "daemon/scene/scene_planner.hpp"

#include <gtest/gtest.h>

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = ScenePlanner::Clock;
using config::LightEffect;

config::LightSetting light(std::vector<std::string> fixtures, config::Rgb color, double pct,
                           config::Millis fade = 0ms, LightEffect effect = LightEffect::none,
                           config::Millis period = 0ms) {
  config::LightSetting l;
  l.fixtures = std::move(fixtures);
  l.color = color;
  l.brightness_pct = pct;
  l.fade.time = fade;
  l.effect = effect;
  l.effect_period = period;
  return l;
}

config::SoundSetting sound(double dba, config::Millis fade = 0ms) {
  config::SoundSetting s;
  s.source = "rain";
  s.level_dba = dba;
  s.fade.time = fade;
  return s;
}

config::Room planner_room() {
  config::Room room;
  for (const char* id : {"tube", "ceiling"}) {
    config::Device d;
    d.id = id;
    d.equipment = config::MqttLight{};
    room.devices.push_back(d);
  }
  room.safe_scene.color = {255, 176, 96};
  room.safe_scene.brightness_pct = 20.0;
  room.safe_scene.fixtures["tube"] = {{32, 48, 64}, 10.0};
  return room;
}

class Planner : public ::testing::Test {
 protected:
  Planner() {
    config::Step one;
    one.name = "one";
    one.duration = 60s;
    one.lights.push_back(light({"tube", "ceiling"}, {0, 0, 255}, 60.0, 2s));
    one.sound = sound(60.0, 4s);
    config::Step two;
    two.name = "two";
    two.duration = 60s;
    two.lights.push_back(light({"tube"}, {255, 255, 255}, 80.0, 0ms, LightEffect::strobe, 500ms));
    profile.id = "p";
    profile.allow_strobe = true;
    profile.steps = {one, two};
    config::Trigger trigger;
    trigger.input = "button";
    trigger.mode = config::TriggerMode::timed;
    trigger.duration = 5s;
    trigger.steps = {0};
    trigger.lights.push_back(light({"ceiling"}, {255, 0, 255}, 90.0));
    profile.triggers.push_back(trigger);
  }
  Cue cue(SessionState state, int index, double intensity = 1.0) {
    return Cue{state, &profile, false, index, intensity, {}, session};
  }
  Scene at(const Cue& c, Clock::time_point now) { return planner.update(c, switches, now); }

  config::Room room = planner_room();
  config::Profile profile;
  ScenePlanner planner{room};
  std::map<std::string, SwitchState> switches;
  std::string session = "s-1";
  Clock::time_point t0{1h};
};

TEST_F(Planner, IdleShowsTheSafeSceneAtOnceAndSoundIsOff) {
  Scene s = at(Cue{}, t0);
  EXPECT_EQ(s.lights["tube"], (devices::LightCommand{{32, 48, 64}, 10.0}));
  EXPECT_EQ(s.lights["ceiling"], (devices::LightCommand{{255, 176, 96}, 20.0}));
  EXPECT_FALSE(s.sound.playing);
}

TEST_F(Planner, AStepFadesItsLightsAndSoundFromWhereTheyWere) {
  at(Cue{}, t0);
  Scene half = at(cue(SessionState::running, 0), t0);
  EXPECT_EQ(half.lights["ceiling"].brightness_pct, 20.0);  // the fade starts where it was
  half = at(cue(SessionState::running, 0), t0 + 1s);
  EXPECT_NEAR(half.lights["ceiling"].brightness_pct, 40.0, 0.01);
  EXPECT_NEAR(half.sound.level_dba, 15.0, 0.01);
  EXPECT_TRUE(half.sound.playing);
  Scene done = at(cue(SessionState::running, 0), t0 + 4s);
  EXPECT_EQ(done.lights["ceiling"], (devices::LightCommand{{0, 0, 255}, 60.0}));
  EXPECT_EQ(done.sound, (SoundLevel{true, "rain", 60.0}));
}

TEST_F(Planner, PausingGoesToTheCalmSafeSceneAndMutes) {
  at(cue(SessionState::running, 0), t0);
  at(cue(SessionState::running, 0), t0 + 5s);
  Scene paused = at(cue(SessionState::paused, 0), t0 + 5s);
  EXPECT_EQ(paused.lights["ceiling"].brightness_pct, 60.0);  // it fades, never jumps
  paused = at(cue(SessionState::paused, 0), t0 + 5s + ScenePlanner::kCalmFade);
  EXPECT_EQ(paused.lights["ceiling"], (devices::LightCommand{{255, 176, 96}, 20.0}));
  EXPECT_FALSE(paused.sound.playing);
}

TEST_F(Planner, IntensityScalesBrightnessAndLoudness) {
  Scene s = at(cue(SessionState::running, 0, 0.5), t0);
  s = at(cue(SessionState::running, 0, 0.5), t0 + 5s);
  EXPECT_NEAR(s.lights["ceiling"].brightness_pct, 30.0, 0.01);
  EXPECT_NEAR(s.sound.level_dba, 60.0 - 6.02, 0.01);
}

TEST_F(Planner, AStrobeBlinksAndStopsAfterTheRoomsLimitWithAnEvent) {
  room.limits.light.max_strobe = 3s;
  at(cue(SessionState::running, 1), t0);
  EXPECT_EQ(at(cue(SessionState::running, 1), t0 + 100ms).lights["tube"].brightness_pct, 80.0);
  EXPECT_EQ(at(cue(SessionState::running, 1), t0 + 300ms).lights["tube"].brightness_pct, 0.0);
  EXPECT_TRUE(planner.take_events().empty());
  for (auto t = t0 + 3s; t < t0 + 5s; t += 20ms) {
    EXPECT_EQ(at(cue(SessionState::running, 1), t).lights["tube"].brightness_pct, 80.0);
  }
  auto events = planner.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, SceneEvent::Kind::strobe_capped);
  EXPECT_EQ(events[0].fixture, "tube");
}

TEST_F(Planner, AProfileWithoutStrobeAllowedNeverBlinks) {
  profile.allow_strobe = false;
  for (auto t = t0; t < t0 + 2s; t += 20ms) {
    EXPECT_EQ(at(cue(SessionState::running, 1), t).lights["tube"].brightness_pct, 80.0);
  }
}

TEST_F(Planner, ATimedTriggerAppliesItsEffectOnlyInItsStepsAndForItsTime) {
  at(cue(SessionState::running, 0), t0);
  at(cue(SessionState::running, 0), t0 + 5s);
  switches["button"] = {true, 1};
  Scene s = at(cue(SessionState::running, 0), t0 + 6s);
  EXPECT_EQ(s.lights["ceiling"], (devices::LightCommand{{255, 0, 255}, 90.0}));
  auto events = planner.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, SceneEvent::Kind::trigger_applied);
  switches["button"] = {false, 1};
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 10s).lights["ceiling"].brightness_pct, 90.0);
  at(cue(SessionState::running, 0), t0 + 11s + 1ms);  // 5 s after the press: back, fading
  EXPECT_EQ(planner.take_events().back().kind, SceneEvent::Kind::trigger_ended);
  s = at(cue(SessionState::running, 0), t0 + 14s);
  EXPECT_EQ(s.lights["ceiling"], (devices::LightCommand{{0, 0, 255}, 60.0}));
  // In a step the trigger is not for, a press does nothing.
  switches["button"] = {true, 2};
  at(cue(SessionState::running, 1), t0 + 15s);
  EXPECT_TRUE(planner.take_events().empty());
}

TEST_F(Planner, APressBeforeTheSessionDoesNotCount) {
  switches["button"] = {false, 4};
  at(Cue{}, t0);
  at(cue(SessionState::running, 0), t0 + 1s);
  EXPECT_TRUE(planner.take_events().empty());
}

TEST_F(Planner, ANewSessionStartsWithItsTriggersOffEvenWithoutAnIdleTickBetween) {
  profile.triggers[0].mode = config::TriggerMode::latched;
  at(cue(SessionState::running, 0), t0);
  switches["button"] = {false, 1};
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 1s).lights["ceiling"].brightness_pct, 90.0);
  session = "s-2";  // stopped and started again between two ticks
  at(cue(SessionState::running, 0), t0 + 2s);
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 5s).lights["ceiling"].brightness_pct, 60.0);
}

TEST_F(Planner, LatchedTriggersToggleAndMomentaryOnesLastWhileHeld) {
  profile.triggers[0].mode = config::TriggerMode::latched;
  at(cue(SessionState::running, 0), t0);
  switches["button"] = {false, 1};
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 1s).lights["ceiling"].brightness_pct, 90.0);
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 30s).lights["ceiling"].brightness_pct, 90.0);
  switches["button"] = {false, 2};
  at(cue(SessionState::running, 0), t0 + 31s);
  EXPECT_EQ(planner.take_events().back().kind, SceneEvent::Kind::trigger_ended);

  profile.triggers[0].mode = config::TriggerMode::momentary;
  switches["button"] = {true, 3};
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 40s).lights["ceiling"].brightness_pct, 90.0);
  EXPECT_EQ(at(cue(SessionState::running, 0), t0 + 50s).lights["ceiling"].brightness_pct, 90.0);
  switches["button"] = {false, 3};
  at(cue(SessionState::running, 0), t0 + 51s);
  EXPECT_EQ(planner.take_events().back().kind, SceneEvent::Kind::trigger_ended);
}

}  // namespace
}  // namespace sensoryd
