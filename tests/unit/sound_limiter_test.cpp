// The sound limits (S11, S3, S15) at simulated time, checked on the volume the player is sent.
#include "daemon/scene/sound_limiter.hpp"

#include <gtest/gtest.h>

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = SoundLimiter::Clock;

config::Calibration calibration() {
  return {"room", {{0, 20.0}, {20, 45.0}, {40, 56.0}, {60, 65.0}, {80, 73.0}, {100, 80.0}}};
}

class Sound : public ::testing::Test {
 protected:
  config::SoundLimits limits;  // 75 dBA, 6 dB/s, mute within 1 s
  SoundLimiter limiter{limits, calibration()};
  Clock::time_point t{1h};
  // Runs at 50 Hz for `seconds`, returning the level at the listener of every volume sent.
  std::vector<double> run(const SoundLevel& wanted, double seconds, bool mute = false) {
    std::vector<double> levels;
    for (int i = 0; i < static_cast<int>(seconds * 50); ++i) {
      t += 20ms;
      auto out = limiter.update(wanted, mute, t);
      levels.push_back(out.command.playing ? calibration().dba_at(out.command.volume_pct) : 0.0);
      last = out;
    }
    return levels;
  }
  SoundLimiter::Output last;
};

TEST_F(Sound, ALevelAboveTheRoomCapIsHeldAtItAndSaysSo) {
  auto levels = run({true, "rain", 90.0}, 20.0);
  EXPECT_LE(*std::max_element(levels.begin(), levels.end()), 75.0);
  EXPECT_GE(levels.back(), 74.0);  // it does get there
  EXPECT_TRUE(last.clamped);
}

TEST_F(Sound, RisesAreSlewedToSixDecibelsASecond) {
  auto levels = run({true, "rain", 70.0}, 10.0);
  for (std::size_t i = 50; i < levels.size(); ++i) {
    if (levels[i - 50] > 0.0) {
      EXPECT_LE(levels[i] - levels[i - 50], 6.0 + 0.5) << i;
    }
  }
  EXPECT_NEAR(levels.back(), 70.0, 0.6);
  EXPECT_FALSE(last.clamped);
}

TEST_F(Sound, AChildsCapIsTighterAndTheRoomsStillHolds) {
  limiter.set_child_cap(60.0);
  auto levels = run({true, "rain", 72.0}, 15.0);
  EXPECT_LE(*std::max_element(levels.begin(), levels.end()), 60.0);
  EXPECT_GE(levels.back(), 59.0);
  limiter.set_child_cap(90.0);  // a looser child cap never loosens the room's
  EXPECT_EQ(limiter.cap_dba(), 75.0);
}

TEST_F(Sound, ATripMutesWithinOneSecondFromAnyLevel) {
  run({true, "rain", 75.0}, 20.0);
  ASSERT_TRUE(last.command.playing);
  auto levels = run({true, "rain", 75.0}, 1.02, true);
  EXPECT_FALSE(last.command.playing);
  EXPECT_EQ(levels.back(), 0.0);
  // It fades rather than cuts: halfway through it is still playing, quieter.
  EXPECT_GT(levels[20], 0.0);
  EXPECT_LT(levels[20], 75.0);
}

TEST_F(Sound, TheVolumeIsRoundedDownSoTheLevelNeverRoundsAboveTheCap) {
  limiter.set_child_cap(61.0);  // between calibration points: volume 51.1
  run({true, "rain", 70.0}, 15.0);
  EXPECT_EQ(last.command.volume_pct, 51.0);
  EXPECT_LE(calibration().dba_at(last.command.volume_pct), 61.0);
}

}  // namespace
}  // namespace sensoryd
