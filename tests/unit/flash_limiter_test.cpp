// The flash limiter (S9) at simulated time: what it lets through, counted by an independent
// flash counter.
#include "daemon/scene/flash_limiter.hpp"

#include <gtest/gtest.h>

#include "tests/support/flash_count.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = FlashLimiter::Clock;
using devices::LightCommand;

constexpr config::Rgb kWhite{255, 255, 255};
constexpr config::Rgb kRed{255, 0, 0};

// Drives the limiter for `seconds` at 50 Hz with the wanted command of each instant, and returns
// the shown levels per fixture, plus how often anything was held back.
struct Run {
  std::map<std::string, std::vector<test::LevelSample>> shown;
  int held = 0;
};

template <typename Wanted>
Run run(FlashLimiter& limiter, const std::vector<std::string>& fixtures, double seconds,
        Wanted wanted) {
  Run result;
  Clock::time_point t0{1h};
  std::vector<LightCommand> asked(fixtures.size());
  std::vector<std::size_t> held;
  std::vector<LightCommand> shown;
  for (int tick = 0; tick < static_cast<int>(seconds * 50); ++tick) {
    double t = tick * 0.02;
    for (std::size_t i = 0; i < fixtures.size(); ++i) asked[i] = wanted(i, t);
    held.clear();
    limiter.limit(asked, t0 + std::chrono::milliseconds(tick * 20), held, shown);
    result.held += static_cast<int>(held.size());
    for (std::size_t i = 0; i < shown.size(); ++i) {
      result.shown[fixtures[i]].push_back({t, light_level(shown[i])});
    }
  }
  return result;
}

LightCommand square(double t, double hz, config::Rgb color, double on = 100.0, double off = 0.0) {
  bool lit = std::fmod(t * hz, 1.0) < 0.5;
  return {color, lit ? on : off};
}

TEST(FlashLimiter, ATenHertzStrobeIsHeldToAtMostThreeFlashesInAnySecond) {
  FlashLimiter limiter(1, 3);
  auto result =
      run(limiter, {"tube"}, 5.0, [](std::size_t, double t) { return square(t, 10.0, kWhite); });
  auto changes = test::transition_times(result.shown["tube"]);
  EXPECT_LE(test::max_flashes_in_window(changes), 3);
  EXPECT_GT(result.held, 0);
  // It is limited, not frozen: the light still changes over the five seconds.
  EXPECT_GE(changes.size(), 8u);
}

TEST(FlashLimiter, SlowChangesAndChangesAboveEightyPercentPassUntouched) {
  FlashLimiter limiter(2, 3);
  auto result = run(limiter, {"a", "b"}, 4.0, [](std::size_t i, double t) {
    // a: 1 Hz on/off; b: 10 Hz between 90% and 100% (the darker state is not below 80).
    return i == 0 ? square(t, 1.0, kWhite) : square(t, 10.0, kWhite, 100.0, 90.0);
  });
  EXPECT_EQ(result.held, 0);
  // Lit at 0 s: off at 0.5 s, on at 1 s, ... off at 3.5 s.
  EXPECT_EQ(test::transition_times(result.shown["a"]).size(), 7u);
}

TEST(FlashLimiter, SaturatedRedNeverFlashes) {
  FlashLimiter limiter(1, 3);
  auto result = run(limiter, {"tube"}, 5.0, [](std::size_t, double t) {
    return square(t, 2.0, kRed);  // 2 Hz is allowed for white, never for saturated red
  });
  auto changes = test::transition_times(result.shown["tube"]);
  EXPECT_EQ(test::max_flashes_in_window(changes), 0);
  EXPECT_GE(changes.size(), 2u);  // it still turns on and off, just never twice in a second
}

TEST(FlashLimiter, TheRoomAsAWholeIsLimitedWhenFixturesTakeTurns) {
  // Each fixture alone flashes twice a second (allowed); out of phase, the room flashes more.
  std::vector<std::string> ids{"a", "b", "c", "d"};
  FlashLimiter limiter(ids.size(), 3);
  auto result = run(limiter, ids, 5.0, [](std::size_t i, double t) {
    return square(t + 0.125 * static_cast<double>(i), 2.0, kWhite);
  });
  std::vector<double> room;
  for (const auto& id : ids) {
    auto changes = test::transition_times(result.shown[id]);
    EXPECT_LE(test::max_flashes_in_window(changes), 3) << id;
    room.insert(room.end(), changes.begin(), changes.end());
  }
  // Changes in the same instant are one change of the room's light.
  std::sort(room.begin(), room.end());
  room.erase(std::unique(room.begin(), room.end()), room.end());
  EXPECT_LE(test::max_flashes_in_window(room), 3);
  EXPECT_GT(result.held, 0);
}

TEST(FlashLimiter, FixturesChangingTogetherAreOneChangeOfTheRoom) {
  std::vector<std::string> ids{"a", "b", "c", "d"};
  FlashLimiter limiter(ids.size(), 3);
  auto result =
      run(limiter, ids, 4.0, [](std::size_t, double t) { return square(t, 1.0, kWhite); });
  EXPECT_EQ(result.held, 0);
}

TEST(FlashLimiter, APhotosensitiveChildGetsNoFlashAtAll) {
  FlashLimiter limiter(1, 3);
  limiter.set_no_flashing(true);
  auto result =
      run(limiter, {"tube"}, 5.0, [](std::size_t, double t) { return square(t, 1.5, kWhite); });
  EXPECT_EQ(test::max_flashes_in_window(test::transition_times(result.shown["tube"])), 0);
}

TEST(FlashLimiter, TheIndependentCounterSeesFlashesItShould) {
  // The counter itself: a 10 Hz square wave has 10 flashes a second.
  std::vector<test::LevelSample> samples;
  for (int i = 0; i < 100; ++i)
    samples.push_back({i * 0.02, std::fmod(i * 0.2, 1.0) < 0.5 ? 100.0 : 0.0});
  EXPECT_EQ(test::max_flashes_in_window(test::transition_times(samples)), 10);
}

}  // namespace
}  // namespace sensoryd
