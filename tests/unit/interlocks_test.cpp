// The interlock state machine at simulated time: which causes latch, what a reset may clear.
#include <gtest/gtest.h>

#include "daemon/safety/interlocks.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = Interlocks::Clock;
using Type = InterlockChange::Type;

const Clock::time_point t0{std::chrono::hours(1)};

struct LatchCase {
  Cause cause;
  bool latches;
  bool stops;  // motion must stop while it holds (else: wind down)
};

class EveryCause : public ::testing::TestWithParam<LatchCase> {};

TEST_P(EveryCause, LatchesStopsAndResetsAsSpecified) {
  const auto& c = GetParam();
  Interlocks locks;
  locks.set(c.cause, "dev", true, t0, "why");
  EXPECT_EQ(locks.stop_required(), c.stops);
  EXPECT_EQ(locks.wind_down_required(), !c.stops);
  EXPECT_FALSE(locks.reset_possible());  // the condition still holds
  EXPECT_FALSE(locks.reset().done);

  locks.set(c.cause, "dev", false, t0 + 1s);
  EXPECT_EQ(locks.tripped(), c.latches);
  EXPECT_EQ(locks.holds(c.cause), c.latches);
  EXPECT_EQ(locks.stop_required(), c.latches);
  auto changes = locks.take_changes();
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.front().type, Type::tripped);
  EXPECT_EQ(changes.front().record.cause, c.cause);
  if (c.latches) {
    EXPECT_EQ(changes.size(), 1u);  // condition gone, trip still latched: no change yet
    EXPECT_TRUE(locks.reset_possible());
    EXPECT_TRUE(locks.reset().done);
    EXPECT_FALSE(locks.tripped());
    EXPECT_TRUE(locks.causes().empty());
    auto after = locks.take_changes();
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].type, Type::reset);
  } else {
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[1].type, Type::cleared);
    EXPECT_TRUE(locks.causes().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Causes, EveryCause,
                         ::testing::Values(LatchCase{Cause::estop_input, true, true},
                                           LatchCase{Cause::estop_command, true, true},
                                           LatchCase{Cause::device_lost, true, true},
                                           LatchCase{Cause::device_fault, true, true},
                                           LatchCase{Cause::safety_input_stale, true, true},
                                           LatchCase{Cause::door_open, false, true},
                                           LatchCase{Cause::lease_lapsed, false, false}));

TEST(Interlocks, ResetIsRefusedWhileAnyLatchedConditionStillHolds) {
  Interlocks locks;
  locks.trip(Cause::estop_command, "ana", t0, "E-stop sent by ana");
  locks.set(Cause::estop_input, "estop", true, t0, "the E-stop 'estop' is pressed");
  auto refused = locks.reset();
  EXPECT_FALSE(refused.done);
  EXPECT_NE(refused.refusal.find("the E-stop 'estop' is pressed"), std::string::npos);
  EXPECT_TRUE(locks.tripped());
  EXPECT_EQ(locks.causes().size(), 2u);  // nothing was cleared, not even the command's trip

  locks.set(Cause::estop_input, "estop", false, t0 + 2s);
  EXPECT_TRUE(locks.reset().done);
  EXPECT_FALSE(locks.tripped());
}

TEST(Interlocks, ResetWithNothingLatchedSaysSo) {
  Interlocks locks;
  auto result = locks.reset();
  EXPECT_FALSE(result.done);
  EXPECT_NE(result.refusal.find("no trip is latched"), std::string::npos);
  locks.set(Cause::door_open, "door", true, t0);
  EXPECT_FALSE(locks.reset().done);  // a door is not a trip: closing it is what clears it
  EXPECT_TRUE(locks.holds(Cause::door_open));
}

TEST(Interlocks, ACauseThatReturnsBeforeResetIsTheSameTripNotANewOne) {
  Interlocks locks;
  locks.set(Cause::device_lost, "swing", true, t0);
  locks.set(Cause::device_lost, "swing", false, t0 + 1s);
  locks.set(Cause::device_lost, "swing", true, t0 + 2s);
  EXPECT_EQ(locks.take_changes().size(), 1u);
  ASSERT_EQ(locks.causes().size(), 1u);
  EXPECT_EQ(locks.causes()[0].since, t0);
  EXPECT_TRUE(locks.causes()[0].active);
  EXPECT_FALSE(locks.reset_possible());
}

TEST(Interlocks, SourcesAreTrackedSeparately) {
  Interlocks locks;
  locks.set(Cause::door_open, "door-a", true, t0);
  locks.set(Cause::door_open, "door-b", true, t0);
  locks.set(Cause::door_open, "door-a", false, t0 + 1s);
  EXPECT_TRUE(locks.stop_required());  // door-b is still open
  locks.set(Cause::door_open, "door-b", false, t0 + 1s);
  EXPECT_FALSE(locks.stop_required());
}

}  // namespace
}  // namespace sensoryd
