// S21: when a safety input counts as seen to work, and when its next check falls due. Time is
// passed in; the local day starts at midnight UTC+1 here, whatever the machine's time zone.
#include "daemon/safety/functional_checks.hpp"

#include <gtest/gtest.h>

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = FunctionalChecks::Clock;
using Wall = FunctionalChecks::WallClock;
using Stage = FunctionalChecks::Stage;

// 2026-11-30T15:00:00Z, a Monday: 16:00 in the room's UTC+1.
const Wall::time_point kMonday16h = Wall::time_point{1'796'050'800s};

Wall::time_point start_of_day_utc_plus_1(Wall::time_point t) {
  auto local = t + 1h;
  return local - local.time_since_epoch() % 24h - 1h;
}

FunctionalChecks::Input estop(std::optional<config::Millis> interval = 24h) {
  return {"estop", config::InputRole::estop, interval};
}
FunctionalChecks::Input door(std::optional<config::Millis> interval = 24h) {
  return {"door", config::InputRole::door, interval};
}

FunctionalChecks make(std::vector<FunctionalChecks::Input> inputs) {
  return FunctionalChecks(std::move(inputs), start_of_day_utc_plus_1);
}

Stage stage_of(const FunctionalChecks& checks, const std::string& id) {
  for (const auto& s : checks.status(kMonday16h)) {
    if (s.input.id == id) return s.stage;
  }
  ADD_FAILURE() << "no check of " << id;
  return Stage::unknown;
}

struct Press {
  FunctionalChecks& checks;
  Clock::time_point t{1h};
  // A reading of the E-stop, `pressed` or not; true when a stop write is asked for.
  bool read(bool pressed, std::chrono::milliseconds later = 20ms) {
    t += later;
    return checks.observe("estop", true, pressed, t);
  }
};

TEST(FunctionalChecks, APressTheStopWriteAndTheReleasePassTheCheckWithTheMeasuredTime) {
  auto checks = make({estop()});
  Press e{checks};
  EXPECT_FALSE(e.read(false));
  EXPECT_EQ(stage_of(checks, "estop"), Stage::ready);
  ASSERT_TRUE(e.read(true));  // the stop write is to be ordered now
  EXPECT_EQ(stage_of(checks, "estop"), Stage::pressed);
  checks.stop_written("estop", true, e.t + 31ms);
  EXPECT_EQ(stage_of(checks, "estop"), Stage::stop_written);
  EXPECT_TRUE(checks.take_passes(kMonday16h).empty());  // not until it is released
  EXPECT_FALSE(e.read(true, 500ms));
  EXPECT_FALSE(e.read(false, 500ms));
  auto passes = checks.take_passes(kMonday16h);
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].input, "estop");
  EXPECT_EQ(passes[0].at, kMonday16h);
  EXPECT_EQ(passes[0].by, "");  // seen in ordinary use
  EXPECT_DOUBLE_EQ(passes[0].press_to_stop_ms, 31.0);
  EXPECT_TRUE(checks.take_passes(kMonday16h).empty());
  EXPECT_FALSE(checks.first_due(kMonday16h));
}

TEST(FunctionalChecks, AnInputFirstReadPressedMustBeSeenReleasedThenPressedAgain) {
  auto checks = make({estop()});
  Press e{checks};
  EXPECT_FALSE(e.read(true));  // pressed at start: not a transition the check saw
  EXPECT_EQ(stage_of(checks, "estop"), Stage::unknown);
  EXPECT_FALSE(e.read(false));
  EXPECT_TRUE(checks.take_passes(kMonday16h).empty());
  EXPECT_TRUE(e.read(true));
}

TEST(FunctionalChecks, AReleaseBeforeTheDriveAcknowledgedTheStopPassesNothing) {
  auto checks = make({estop()});
  Press e{checks};
  e.read(false);
  ASSERT_TRUE(e.read(true));
  e.read(false);
  checks.stop_written("estop", true, e.t);  // too late: the check was already over
  EXPECT_TRUE(checks.take_passes(kMonday16h).empty());
  EXPECT_EQ(stage_of(checks, "estop"), Stage::ready);
}

TEST(FunctionalChecks, AStopWriteTheDriveDidNotAcknowledgePassesNothingUntilTheNextPress) {
  auto checks = make({estop()});
  Press e{checks};
  e.read(false);
  ASSERT_TRUE(e.read(true));
  checks.stop_written("estop", false, e.t + 5ms);
  EXPECT_EQ(stage_of(checks, "estop"), Stage::stop_unconfirmed);
  e.read(false);
  EXPECT_TRUE(checks.take_passes(kMonday16h).empty());
  ASSERT_TRUE(e.read(true));
  checks.stop_written("estop", true, e.t + 12ms);
  e.read(false);
  ASSERT_EQ(checks.take_passes(kMonday16h).size(), 1u);
}

TEST(FunctionalChecks, AStaleReadingInTheMiddleStartsTheCheckOver) {
  auto checks = make({estop()});
  Press e{checks};
  e.read(false);
  ASSERT_TRUE(e.read(true));
  checks.stop_written("estop", true, e.t + 5ms);
  e.t += 20ms;
  checks.observe("estop", false, false, e.t);  // no current reading
  EXPECT_EQ(stage_of(checks, "estop"), Stage::unknown);
  e.read(false);
  EXPECT_TRUE(checks.take_passes(kMonday16h).empty());
}

TEST(FunctionalChecks, NeverCheckedIsDueAndAnInputSwitchedOffNeverIs) {
  auto checks = make({estop(), door(std::nullopt)});
  auto due = checks.first_due(kMonday16h);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->input.id, "estop");
  EXPECT_FALSE(due->due_at);
  for (const auto& s : checks.status(kMonday16h)) {
    if (s.input.id == "door") {
      EXPECT_FALSE(s.due);
    }
  }
}

// Checked Monday 16:00 (UTC+1): due from Tuesday's midnight, so that Tuesday's first session
// waits for a check, rather than at 16:00 in the middle of Tuesday's sessions.
TEST(FunctionalChecks, ADailyCheckFallsDueAtTheStartOfTheDayItsIntervalEnds) {
  auto checks = make({estop()});
  checks.restore({"estop", config::InputRole::estop, kMonday16h, "ana", 30.0});
  auto tuesday_midnight = kMonday16h + 8h;  // Tuesday 00:00 in UTC+1
  EXPECT_FALSE(checks.first_due(tuesday_midnight - 1s));
  auto due = checks.first_due(tuesday_midnight);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->due_at, tuesday_midnight);
  EXPECT_EQ(due->last->by, "ana");
}

TEST(FunctionalChecks, AWeeklyCheckFallsDueAtTheStartOfItsLastDay) {
  auto checks = make({estop(7 * 24h)});
  checks.restore({"estop", config::InputRole::estop, kMonday16h, "", 30.0});
  auto next_monday_midnight = kMonday16h + 8h + 6 * 24h;
  EXPECT_FALSE(checks.first_due(next_monday_midnight - 1s));
  EXPECT_TRUE(checks.first_due(next_monday_midnight));
}

TEST(FunctionalChecks, AnIntervalShorterThanADayFallsDueWhenItEnds) {
  auto checks = make({door(8h)});
  checks.restore({"door", config::InputRole::door, kMonday16h, "", 30.0});
  EXPECT_FALSE(checks.first_due(kMonday16h + 8h - 1s));
  EXPECT_TRUE(checks.first_due(kMonday16h + 8h));
}

// A restart reads the passes back from the log; the latest of each input counts.
TEST(FunctionalChecks, TheLatestRestoredPassCountsAndUnknownInputsAreIgnored) {
  auto checks = make({estop()});
  checks.restore({"estop", config::InputRole::estop, kMonday16h, "ana", 30.0});
  checks.restore({"estop", config::InputRole::estop, kMonday16h - 48h, "old", 30.0});
  checks.restore({"gone", config::InputRole::estop, kMonday16h, "", 30.0});
  auto status = checks.status(kMonday16h);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].last->by, "ana");
  EXPECT_FALSE(status[0].due);
}

TEST(FunctionalChecks, AGuidedCheckCarriesTheUsersNameAndNeedsTheInputReleasedFirst) {
  auto checks = make({estop()});
  Press e{checks};
  auto unknown = checks.guide("estop-2", "ana", e.t);
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.code, "unknown_input");
  EXPECT_NE(unknown.message.find("estop"), std::string::npos) << unknown.message;
  e.read(true);  // pressed when the check is asked for
  auto pressed = checks.guide("estop", "ana", e.t);
  EXPECT_FALSE(pressed.ok);
  EXPECT_EQ(pressed.code, "release_first");
  e.read(false);
  ASSERT_TRUE(checks.guide("estop", "ana", e.t).ok);
  ASSERT_TRUE(e.read(true));
  checks.stop_written("estop", true, e.t + 18ms);
  e.read(false);
  auto passes = checks.take_passes(kMonday16h);
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].by, "ana");
  // The next pass, in ordinary use, carries no name.
  ASSERT_TRUE(e.read(true));
  checks.stop_written("estop", true, e.t + 18ms);
  e.read(false);
  EXPECT_EQ(checks.take_passes(kMonday16h).at(0).by, "");
}

TEST(FunctionalChecks, AGuidedCheckWithNoPressIsGivenUp) {
  auto checks = make({estop()});
  Press e{checks};
  e.read(false);
  ASSERT_TRUE(checks.guide("estop", "ana", e.t).ok);
  checks.expire_guides(e.t + FunctionalChecks::kGuideTimeout);
  EXPECT_EQ(checks.status(kMonday16h)[0].guided_by, "ana");
  checks.expire_guides(e.t + FunctionalChecks::kGuideTimeout + 1s);
  EXPECT_EQ(checks.status(kMonday16h)[0].guided_by, "");
}

}  // namespace
}  // namespace sensoryd
