// The rotary limiter at simulated time (docs/safety.md S8): rate, ramp, revolutions in one
// direction and the pause at rest before more of them or before reversing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "daemon/safety/rotary_limiter.hpp"

namespace sensoryd {
namespace {

using config::Direction;
using Hold = RotaryLimiter::Hold;
constexpr Direction kCw = Direction::clockwise;
constexpr Direction kCcw = Direction::counterclockwise;

config::RotaryLimits limits(int revolutions = 10, double pause_s = 10.0) {
  config::RotaryLimits l;
  l.max_rate_rev_s = 0.5;
  l.max_revolutions = revolutions;
  l.min_pause_s = pause_s;
  l.max_accel_rev_s2 = 0.25;
  return l;
}

// What the limiter's output did, watched from outside: runs of motion between rests, how long
// each rest lasted, and every direction it turned in.
struct Watch {
  struct Run {
    Direction direction;
    double revolutions = 0.0;
    double rest_before_s = 0.0;  // how long the seat was at rest before this run
  };
  std::vector<Run> runs;
  double rest_s = 1e9;  // at rest since forever at the start
  double max_speed = 0.0;
  double max_change_per_s = 0.0;
  double speed = 0.0;

  // One tick of `dt` that ended with the limiter's current output: as the drive sees it, the
  // speed held before the tick lasted until this one's was sent.
  void see(const RotaryLimiter& limiter, double dt) {
    double next = limiter.speed_rev_s();
    if (dt > 0.0) max_change_per_s = std::max(max_change_per_s, std::abs(next - speed) / dt);
    max_speed = std::max(max_speed, next);
    if (speed == 0.0) rest_s += dt;
    if (next > 0.0 && speed == 0.0) runs.push_back({limiter.direction(), 0.0, rest_s});
    if (!runs.empty() && (next > 0.0 || speed > 0.0)) {
      runs.back().revolutions += (speed + next) / 2.0 * dt;
      EXPECT_EQ(runs.back().direction, limiter.direction()) << "reversed while turning";
    }
    if (speed > 0.0 || next > 0.0) rest_s = 0.0;
    speed = next;
  }
};

TEST(RotaryLimiter, TheRateIsCappedAndEveryChangeRamped) {
  RotaryLimiter limiter(limits());
  Watch watch;
  for (int i = 0; i < 500; ++i) {
    limiter.step(2.0, kCw, false, 0.02);
    watch.see(limiter, 0.02);
  }
  EXPECT_TRUE(limiter.rate_clamped());
  EXPECT_DOUBLE_EQ(watch.max_speed, 0.5);
  EXPECT_LE(watch.max_change_per_s, 0.25 + 1e-9);
  // 2 s to full speed at 0.25 rev/s^2.
  RotaryLimiter fresh(limits());
  for (int i = 0; i < 100; ++i) fresh.step(0.5, kCw, false, 0.02);
  EXPECT_NEAR(fresh.speed_rev_s(), 0.5, 1e-9);
  EXPECT_FALSE(fresh.rate_clamped());
}

TEST(RotaryLimiter, StopsWithinTheRevolutionLimitPausesThenGoesOn) {
  RotaryLimiter limiter(limits(10, 10.0));
  Watch watch;
  bool held = false;
  for (int i = 0; i < 4000; ++i) {  // 80 s of asking for 0.5 rev/s clockwise
    limiter.step(0.5, kCw, false, 0.02);
    held = held || limiter.hold() == Hold::revolutions;
    watch.see(limiter, 0.02);
  }
  EXPECT_TRUE(held);
  // 10 revolutions take about 22 s with the ramps, then 10 s of rest: three runs in 80 s.
  ASSERT_GE(watch.runs.size(), 3U);
  for (std::size_t i = 0; i < watch.runs.size(); ++i) {
    const auto& run = watch.runs[i];
    EXPECT_LE(run.revolutions, 10.0) << "run " << i;
    if (i + 1 < watch.runs.size()) {
      EXPECT_GT(run.revolutions, 9.8) << "run " << i;
    }
    if (i > 0) {
      EXPECT_GE(run.rest_before_s, 10.0 - 1e-9) << "run " << i;
    }
  }
}

TEST(RotaryLimiter, ReversingWaitsForAFullPauseAtRest) {
  RotaryLimiter limiter(limits(10, 10.0));
  Watch watch;
  for (int i = 0; i < 250; ++i) {  // 5 s clockwise
    limiter.step(0.5, kCw, false, 0.02);
    watch.see(limiter, 0.02);
  }
  bool held_for_reversal = false;
  for (int i = 0; i < 1000; ++i) {  // then 20 s asking for counterclockwise
    limiter.step(0.5, kCcw, false, 0.02);
    held_for_reversal = held_for_reversal || limiter.hold() == Hold::reversal;
    watch.see(limiter, 0.02);
  }
  EXPECT_TRUE(held_for_reversal);
  ASSERT_EQ(watch.runs.size(), 2U);
  EXPECT_EQ(watch.runs[0].direction, kCw);
  EXPECT_EQ(watch.runs[1].direction, kCcw);
  EXPECT_GE(watch.runs[1].rest_before_s, 10.0 - 1e-9);
  EXPECT_EQ(limiter.direction(), kCcw);
}

TEST(RotaryLimiter, ChoosingADirectionFromRestIsFree) {
  RotaryLimiter limiter(limits());
  limiter.step(0.3, kCcw, false, 0.02);
  EXPECT_EQ(limiter.direction(), kCcw);
  EXPECT_GT(limiter.speed_rev_s(), 0.0);
  EXPECT_EQ(limiter.hold(), Hold::none);
}

TEST(RotaryLimiter, APauseDoesNotCountWhileTheDriveStillTurns) {
  RotaryLimiter limiter(limits(10, 10.0));
  for (int i = 0; i < 250; ++i) limiter.step(0.5, kCw, false, 0.02);
  limiter.stopped();  // a trip: the drive coasts down on its own
  for (int i = 0; i < 1000; ++i) limiter.step(0.0, kCw, true, 0.02);  // 20 s, still turning
  EXPECT_DOUBLE_EQ(limiter.rest_s(), 0.0);
  limiter.step(0.5, kCw, true, 0.02);
  EXPECT_EQ(limiter.speed_rev_s(), 0.0);
  EXPECT_EQ(limiter.hold(), Hold::revolutions);
  for (int i = 0; i < 499; ++i) limiter.step(0.5, kCw, false, 0.02);  // 9.98 s at rest
  EXPECT_EQ(limiter.speed_rev_s(), 0.0);
  for (int i = 0; i < 8; ++i) limiter.step(0.5, kCw, false, 0.02);  // 10.14 s
  EXPECT_GT(limiter.speed_rev_s(), 0.0);
}

TEST(RotaryLimiter, AStopOwesAFullPauseEvenInTheSameDirection) {
  RotaryLimiter limiter(limits(10, 10.0));
  for (int i = 0; i < 100; ++i) limiter.step(0.5, kCw, false, 0.02);
  limiter.stopped();
  EXPECT_EQ(limiter.speed_rev_s(), 0.0);
  for (int i = 0; i < 250; ++i) limiter.step(0.5, kCw, false, 0.02);  // 5 s: not enough
  EXPECT_EQ(limiter.speed_rev_s(), 0.0);
  EXPECT_EQ(limiter.hold(), Hold::revolutions);
  for (int i = 0; i < 270; ++i) limiter.step(0.5, kCw, false, 0.02);
  EXPECT_GT(limiter.speed_rev_s(), 0.0);
}

TEST(RotaryLimiter, StoppingBySelfBeforeTheLimitNeedsNoPauseToGoOnTheSameWay) {
  RotaryLimiter limiter(limits(10, 10.0));
  for (int i = 0; i < 250; ++i) limiter.step(0.5, kCw, false, 0.02);
  for (int i = 0; i < 150; ++i) limiter.step(0.0, kCw, false, 0.02);  // ramped to rest
  EXPECT_EQ(limiter.speed_rev_s(), 0.0);
  double turned = limiter.revolutions();
  EXPECT_GT(turned, 1.0);
  limiter.step(0.5, kCw, false, 0.02);
  EXPECT_GT(limiter.speed_rev_s(), 0.0);  // the count goes on from where it was
  EXPECT_GT(limiter.revolutions(), turned);
}

// Table-driven: limits, tick lengths and wishes vary; the invariants never do.
struct Case {
  const char* name;
  double rate;
  int revolutions;
  double pause_s;
  double accel;
  int min_tick_ms;
  int max_tick_ms;
};

class RotaryCases : public ::testing::TestWithParam<Case> {};

TEST_P(RotaryCases, RandomWishesNeverBreakTheLimits) {
  const Case& c = GetParam();
  config::RotaryLimits l{c.rate, c.revolutions, c.pause_s, c.accel};
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    RotaryLimiter limiter(l);
    Watch watch;
    double wish = 0.0;
    Direction direction = kCw;
    for (int i = 0; i < 3000; ++i) {
      if (std::uniform_int_distribution<int>(0, 99)(rng) == 0) {
        wish = std::uniform_real_distribution<double>(-0.2, 1.0)(rng);
        direction = std::uniform_int_distribution<int>(0, 1)(rng) ? kCw : kCcw;
      }
      if (std::uniform_int_distribution<int>(0, 999)(rng) == 0) limiter.stopped();
      double dt = std::uniform_int_distribution<int>(c.min_tick_ms, c.max_tick_ms)(rng) / 1000.0;
      limiter.step(std::max(wish, 0.0), direction, false, dt);
      watch.see(limiter, dt);
    }
    ASSERT_LE(watch.max_speed, c.rate + 1e-12) << "seed " << seed;
    for (std::size_t i = 0; i < watch.runs.size(); ++i) {
      const auto& run = watch.runs[i];
      // A run may follow a rest shorter than the pause only in the same direction and within
      // the same count; so any two runs in opposite directions have a full pause between them.
      if (i > 0 && run.direction != watch.runs[i - 1].direction) {
        ASSERT_GE(run.rest_before_s, c.pause_s - 1e-9) << "seed " << seed << " run " << i;
      }
    }
    // Revolutions between full pauses, in one direction, stay within the limit.
    double since_pause = 0.0;
    for (const auto& run : watch.runs) {
      if (run.rest_before_s >= c.pause_s) since_pause = 0.0;
      since_pause += run.revolutions;
      ASSERT_LE(since_pause, c.revolutions + 1e-9) << "seed " << seed;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Limits, RotaryCases,
                         ::testing::Values(Case{"defaults", 0.5, 10, 10.0, 0.25, 20, 20},
                                           Case{"jittery_ticks", 0.5, 10, 10.0, 0.25, 5, 120},
                                           Case{"one_revolution", 0.5, 1, 3.0, 0.1, 10, 60},
                                           Case{"fast_room", 2.0, 3, 2.0, 2.0, 20, 100},
                                           Case{"slow_ramp", 0.3, 5, 15.0, 0.02, 50, 50}),
                         [](const auto& test_case) { return std::string(test_case.param.name); });

}  // namespace
}  // namespace sensoryd
