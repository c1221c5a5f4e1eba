// S21 in the room's logic: a due check refuses a start, a guided press and release passes it
// with the drive's stop write on the bus, and a restart keeps what passed. ControlRig at
// simulated time; the E-stop and the door are contacts on the fake bus.
#include <gtest/gtest.h>

#include "tests/support/control_rig.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using test::ControlRig;

constexpr std::uint16_t kControl = 0;  // the default map's control word (0: disabled)

// The local day starts at midnight UTC in these tests.
FunctionalChecks::WallClock::time_point utc_midnight(FunctionalChecks::WallClock::time_point t) {
  return t - t.time_since_epoch() % 24h;
}

void enable(ControlRig& rig, const std::vector<FunctionalChecks::Pass>& restored = {}) {
  rig.control->enable_checks(restored, utc_midnight, [&rig] { return rig.t; });
}

Outcome check(ControlRig& rig, const std::string& input, const std::string& user = "ana") {
  Command c;
  c.action = Action::check;
  c.therapist = user;
  c.payload = CheckFields{input};
  return rig.control->execute(c, rig.t, rig.wall());
}

Outcome start(ControlRig& rig) {
  Command c;
  c.action = Action::start;
  c.payload = StartFields{rig.profile, "", 1.0};
  return rig.control->execute(c, rig.t, rig.wall());
}

Outcome reset(ControlRig& rig) {
  Command c;
  c.action = Action::reset;
  return rig.control->execute(c, rig.t, rig.wall());
}

void press_estop(ControlRig& rig, bool pressed) {
  rig.bus.discrete[{ControlRig::kEstop, 0}] = pressed ? 0 : 1;  // its contact opens when pressed
  rig.run_for(200ms);
}

void open_door(ControlRig& rig, bool open) {
  rig.bus.discrete[{ControlRig::kDoor, 0}] = open ? 1 : 0;
  rig.run_for(200ms);
}

const FieldValue* field(const Record& record, const std::string& key) {
  return record.fields.find(key);
}

TEST(SafetyChecks, ADueCheckRefusesAStartNamingTheInputUntilItsPressAndReleasePassIt) {
  ControlRig rig;
  enable(rig);
  rig.run_for(200ms);
  auto refused = start(rig);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.code, "check_due");
  EXPECT_NE(refused.message.find("E-stop 'estop'"), std::string::npos) << refused.message;
  EXPECT_NE(refused.message.find("press and release"), std::string::npos) << refused.message;

  ASSERT_TRUE(check(rig, "estop").ok);
  auto writes_before = rig.bus.writes.size();
  press_estop(rig, true);
  // The stop the check asked for reached the drive: its control word written 0 after the press.
  bool stop_written = false;
  for (auto i = writes_before; i < rig.bus.writes.size(); ++i) {
    const auto& w = rig.bus.writes[i];
    stop_written =
        stop_written || (w.unit == ControlRig::kSwing && w.address == kControl && w.value == 0);
  }
  EXPECT_TRUE(stop_written);
  press_estop(rig, false);
  rig.collect();
  const Record* passed = nullptr;
  for (const auto& r : rig.records) {
    if (r.type == EventType::safety_check_passed) passed = &r;
  }
  ASSERT_NE(passed, nullptr);
  EXPECT_EQ(*field(*passed, "input"), FieldValue{std::string{"estop"}});
  EXPECT_EQ(*field(*passed, "by"), FieldValue{std::string{"ana"}});
  EXPECT_EQ(*field(*passed, "guided"), FieldValue{true});
  double ms = std::get<double>(*field(*passed, "press_to_stop_ms"));
  EXPECT_GE(ms, 0.0);
  EXPECT_LE(ms, 100.0);  // a few fake-bus rounds of 20 ms

  // The press latched an E-stop trip, as any press does: reset. Then the door is next.
  ASSERT_TRUE(reset(rig).ok);
  refused = start(rig);
  EXPECT_EQ(refused.code, "check_due");
  EXPECT_NE(refused.message.find("door 'door'"), std::string::npos) << refused.message;
  EXPECT_NE(refused.message.find("open and close"), std::string::npos) << refused.message;
  open_door(rig, true);
  open_door(rig, false);
  EXPECT_TRUE(start(rig).ok);
}

TEST(SafetyChecks, ACheckIsRefusedWhileASessionRunsAndAPressDuringOneStillCounts) {
  ControlRig rig;
  FunctionalChecks::Pass estop_ok{"estop", config::InputRole::estop, rig.wall() - 1h, "ana", 20};
  FunctionalChecks::Pass door_ok{"door", config::InputRole::door, rig.wall() - 1h, "ana", 20};
  enable(rig, {estop_ok, door_ok});
  rig.run_for(200ms);
  ASSERT_TRUE(start(rig).ok);
  rig.run_for(1s);
  auto during = check(rig, "estop");
  EXPECT_FALSE(during.ok);
  EXPECT_EQ(during.code, "not_allowed_in_state");
  // The E-stop pressed in the session: the session ends, and the press is a check seen in use.
  press_estop(rig, true);
  press_estop(rig, false);
  rig.collect();
  EXPECT_TRUE(rig.recorded("safety_check_passed", "by", std::string{}));
}

TEST(SafetyChecks, ACheckAskedForWhileTheInputIsPressedOrUnknownIsRefused) {
  ControlRig rig;
  enable(rig);
  rig.run_for(200ms);
  EXPECT_EQ(check(rig, "nonesuch").code, "unknown_input");
  press_estop(rig, true);
  auto pressed = check(rig, "estop");
  EXPECT_FALSE(pressed.ok);
  EXPECT_EQ(pressed.code, "release_first");
}

// Across a restart: the passes read back from the log keep the start allowed until the next day.
TEST(SafetyChecks, RestoredPassesKeepTheStartAllowedUntilTheirDayEnds) {
  ControlRig rig;
  auto checked_at = rig.wall() - 30min;
  enable(rig, {{"estop", config::InputRole::estop, checked_at, "ana", 25.0},
               {"door", config::InputRole::door, checked_at, "ana", 25.0}});
  rig.run_for(200ms);
  EXPECT_TRUE(start(rig).ok);
  auto tomorrow = utc_midnight(rig.wall()) + 24h;
  auto due = rig.control->checks()->due(tomorrow);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->code, "check_due");
  EXPECT_NE(due->message.find("before today's first session"), std::string::npos) << due->message;
}

// Without enable_checks (a preview, a test of other things) nothing is ever due.
TEST(SafetyChecks, WithoutChecksNothingIsDueAndTheCommandSaysSo) {
  ControlRig rig;
  rig.run_for(200ms);
  EXPECT_TRUE(start(rig).ok);
  EXPECT_EQ(check(rig, "estop").code, "unknown_input");
}

}  // namespace
}  // namespace sensoryd
