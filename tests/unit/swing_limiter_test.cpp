#include <gtest/gtest.h>

#include "daemon/safety/swing_limiter.hpp"

namespace sensoryd {
namespace {

using config::SwingMode;
using namespace std::chrono_literals;

config::SwingLimits limits() {
  config::SwingLimits l;
  l.max_amplitude_deg = 20.0;
  l.min_period_s = 3.0;
  l.max_amplitude_rate_deg_s = 2.0;
  l.max_period_rate_s_per_s = 0.5;
  return l;
}

TEST(SwingLimiter, AStepInTheTargetIsRampedAtTheAllowedRate) {
  SwingLimiter limiter(limits());
  SwingTarget target{SwingMode::linear, 10.0, 4.0};
  double previous = 0.0;
  for (int i = 0; i < 100; ++i) {
    const SwingState& s = limiter.step(target, 20ms);
    EXPECT_TRUE(s.enabled);
    EXPECT_LE(s.amplitude_deg - previous, 2.0 * 0.020 + 1e-9);
    previous = s.amplitude_deg;
  }
  EXPECT_NEAR(limiter.state().amplitude_deg, 4.0, 1e-9);  // 2 s at 2 deg/s
  for (int i = 0; i < 200; ++i) limiter.step(target, 20ms);
  EXPECT_DOUBLE_EQ(limiter.state().amplitude_deg, 10.0);
  EXPECT_DOUBLE_EQ(limiter.state().period_s, 4.0);
}

TEST(SwingLimiter, ClampsToTheRoomLimits) {
  SwingLimiter limiter(limits());
  SwingTarget greedy{SwingMode::linear, 45.0, 1.0};
  for (int i = 0; i < 2000; ++i) limiter.step(greedy, 20ms);
  EXPECT_TRUE(limiter.last_target_clamped());
  EXPECT_DOUBLE_EQ(limiter.state().amplitude_deg, 20.0);
  EXPECT_DOUBLE_EQ(limiter.state().period_s, 3.0);
}

TEST(SwingLimiter, StopRampsDownThenDisables) {
  SwingLimiter limiter(limits());
  for (int i = 0; i < 500; ++i) limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms);
  ASSERT_DOUBLE_EQ(limiter.state().amplitude_deg, 6.0);
  int ticks = 0;
  while (limiter.state().enabled && ticks < 1000) {
    double before = limiter.state().amplitude_deg;
    limiter.step(SwingTarget{}, 20ms);
    EXPECT_LE(before - limiter.state().amplitude_deg, 2.0 * 0.020 + 1e-9);
    ++ticks;
  }
  EXPECT_EQ(ticks, 150);  // 6 deg at 2 deg/s, 20 ms ticks
  EXPECT_TRUE(limiter.state().at_rest());
  EXPECT_EQ(limiter.state().mode, SwingMode::off);
}

TEST(SwingLimiter, PeriodChangesWhileMovingAreRamped) {
  SwingLimiter limiter(limits());
  for (int i = 0; i < 500; ++i) limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms);
  limiter.step({SwingMode::linear, 6.0, 8.0}, 1s);
  EXPECT_DOUBLE_EQ(limiter.state().period_s, 4.5);
}

TEST(SwingLimiter, ResetStartsAgainFromRest) {
  SwingLimiter limiter(limits());
  for (int i = 0; i < 500; ++i) limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms);
  limiter.reset_to_rest();
  limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms);
  EXPECT_NEAR(limiter.state().amplitude_deg, 0.04, 1e-9);
}

// The defaults: 0.5 rev/s, ramped at 0.25 rev/s^2, 10 revolutions, then 10 s at rest.
config::RotaryLimits rotary_limits() {
  return config::RotaryLimits{};
}

const SwingTarget kSpin{SwingMode::rotary, 0.0, 0.0, 0.4, config::Direction::counterclockwise};

TEST(SwingLimiter, ASpinIsSentAsRotaryWithItsSpeedAndDirection) {
  SwingLimiter limiter(limits(), rotary_limits());
  for (int i = 0; i < 200; ++i) limiter.step(kSpin, 20ms);
  const SwingState& s = limiter.state();
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.mode, SwingMode::rotary);
  EXPECT_DOUBLE_EQ(s.speed_rev_s, 0.4);
  EXPECT_EQ(s.direction, config::Direction::counterclockwise);
  EXPECT_DOUBLE_EQ(s.amplitude_deg, 0.0);
  limiter.step({SwingMode::rotary, 0.0, 0.0, 3.0, config::Direction::counterclockwise}, 20ms);
  EXPECT_TRUE(limiter.last_target_clamped());
}

TEST(SwingLimiter, FromLinearToRotaryTheSwingComesToRestFirst) {
  SwingLimiter limiter(limits(), rotary_limits());
  for (int i = 0; i < 500; ++i) limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms);
  bool rested = false;
  for (int i = 0; i < 500; ++i) {
    const SwingState& s = limiter.step(kSpin, 20ms);
    // Never both at once: a spin starts only once the amplitude is out.
    if (s.mode == SwingMode::rotary) {
      EXPECT_DOUBLE_EQ(s.amplitude_deg, 0.0);
      EXPECT_TRUE(rested);
    }
    if (s.mode == SwingMode::linear) {
      EXPECT_DOUBLE_EQ(s.speed_rev_s, 0.0);
    }
    rested = rested || s.at_rest();
  }
  EXPECT_EQ(limiter.state().mode, SwingMode::rotary);
}

TEST(SwingLimiter, ASpinWaitsUntilTheDriveReportsTheSwingStill) {
  SwingLimiter limiter(limits(), rotary_limits());
  for (int i = 0; i < 500; ++i) limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms, true);
  for (int i = 0; i < 500; ++i) {
    limiter.step(kSpin, 20ms, true);  // the seat still swings out its last amplitude
    ASSERT_NE(limiter.state().mode, SwingMode::rotary) << "tick " << i;
  }
  limiter.step(kSpin, 20ms, false);
  EXPECT_EQ(limiter.state().mode, SwingMode::rotary);
}

TEST(SwingLimiter, FromRotaryToLinearTheSpinRampsDownFirst) {
  SwingLimiter limiter(limits(), rotary_limits());
  for (int i = 0; i < 200; ++i) limiter.step(kSpin, 20ms);
  int spinning_ticks = 0;
  double before = limiter.state().speed_rev_s;
  while (limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms).mode == SwingMode::rotary) {
    EXPECT_LE(before - limiter.state().speed_rev_s, 0.25 * 0.020 + 1e-9);
    before = limiter.state().speed_rev_s;
    ++spinning_ticks;
  }
  EXPECT_EQ(spinning_ticks, 79);  // 0.4 rev/s at 0.25 rev/s^2: 1.6 s, the last tick at rest
  EXPECT_EQ(limiter.state().mode, SwingMode::off);
  limiter.step({SwingMode::linear, 6.0, 4.0}, 20ms);
  EXPECT_EQ(limiter.state().mode, SwingMode::linear);
}

TEST(SwingLimiter, AResetOwesTheRotaryPause) {
  SwingLimiter limiter(limits(), rotary_limits());
  for (int i = 0; i < 200; ++i) limiter.step(kSpin, 20ms);
  limiter.reset_to_rest();
  EXPECT_TRUE(limiter.state().at_rest());
  for (int i = 0; i < 100; ++i) limiter.step(kSpin, 20ms);
  EXPECT_TRUE(limiter.state().at_rest());
  EXPECT_EQ(limiter.rotary_hold(), RotaryLimiter::Hold::revolutions);
}

}  // namespace
}  // namespace sensoryd
