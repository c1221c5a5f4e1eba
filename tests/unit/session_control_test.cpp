// SessionControl at simulated time: what commands and trips do to the session, and what is
// recorded for the session log (S3, S4, S12, S13, S14, S18).
#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "tests/support/control_rig.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using test::ControlRig;

const config::SwingRegisterMap kMap{};

class Control : public ::testing::Test {
 protected:
  void start_swinging() {
    Outcome started = rig.command("start");
    ASSERT_TRUE(started.ok) << started.message;
    EXPECT_FALSE(started.session_id.empty());
    rig.run_for(1s);
    ASSERT_EQ(rig.reg(kMap.control), 1);
  }
  void renew_lease_while(std::chrono::milliseconds span) {
    for (auto end = rig.t + span; rig.t < end;) {
      rig.run_for(1s);
      rig.command("lease");
    }
  }
  ControlRig rig;
};

TEST_F(Control, TheSessionLengthCapEndsASessionThroughItsWindDown) {
  start_swinging();
  renew_lease_while(38s);  // the "wait" step waits for go: only the cap can end it
  EXPECT_EQ(rig.engine.state(), SessionState::running);  // 39 s in
  rig.run_for(1500ms);
  EXPECT_EQ(rig.engine.state(), SessionState::winding_down);  // the 40 s cap passed
  rig.run_for(3s);
  EXPECT_EQ(rig.engine.state(), SessionState::idle);
  rig.collect();
  EXPECT_TRUE(rig.recorded("session_ended", "reason", std::string{"session_length_cap"}));
}

TEST_F(Control, AnAdjustToTheSameIntensityIsAnsweredAndRecordsNothing) {
  start_swinging();
  EXPECT_TRUE(rig.command("adjust", 0.5).ok);
  rig.collect();
  auto adjusted = [&] {
    return std::count_if(rig.records.begin(), rig.records.end(),
                         [](const Record& r) { return r.type == EventType::intensity_adjusted; });
  };
  EXPECT_EQ(adjusted(), 1);
  EXPECT_TRUE(rig.command("adjust", 0.5).ok);
  rig.collect();
  EXPECT_EQ(adjusted(), 1);
  EXPECT_TRUE(rig.command("adjust", 0.6).ok);
  rig.collect();
  EXPECT_EQ(adjusted(), 2);
}

TEST_F(Control, AnEStopCommandEndsTheSessionAndStartIsRefusedUntilReset) {
  start_swinging();
  EXPECT_TRUE(rig.command("estop").ok);
  rig.bus.deliver();
  EXPECT_EQ(rig.reg(kMap.control), 0);  // written before the command returned
  EXPECT_EQ(rig.engine.state(), SessionState::idle);
  Outcome refused = rig.command("start");
  EXPECT_EQ(refused.code, "interlock_active");
  EXPECT_NE(refused.message.find("reset"), std::string::npos);
  EXPECT_TRUE(rig.command("reset").ok);
  EXPECT_EQ(rig.command("reset").code, "not_allowed_in_state");
  EXPECT_TRUE(rig.command("start").ok);
  rig.collect();
  EXPECT_TRUE(rig.recorded("interlock_tripped", "cause", std::string{"estop_command"}));
  EXPECT_TRUE(rig.recorded("session_ended", "reason", std::string{"estop"}));
  EXPECT_TRUE(rig.recorded("interlock_reset", "cause", std::string{"estop_command"}));
}

TEST_F(Control, AnOpenDoorPausesAndRefusesStartAndResumeUntilItCloses) {
  start_swinging();
  rig.bus.discrete[{ControlRig::kDoor, 0}] = 1;
  rig.tick();
  EXPECT_EQ(rig.engine.state(), SessionState::paused);
  EXPECT_EQ(rig.command("resume").code, "interlock_active");
  rig.bus.discrete[{ControlRig::kDoor, 0}] = 0;
  rig.run_for(100ms);                                   // the door's release debounce
  EXPECT_EQ(rig.engine.state(), SessionState::paused);  // nothing resumes by itself
  EXPECT_TRUE(rig.command("resume").ok);
  EXPECT_EQ(rig.engine.state(), SessionState::running);
  rig.collect();
  EXPECT_TRUE(rig.recorded("session_paused", "reason", std::string{"door_open"}));
  EXPECT_TRUE(rig.recorded("interlock_cleared", "cause", std::string{"door_open"}));
  EXPECT_TRUE(rig.recorded("session_resumed"));
}

TEST_F(Control, ALapsedLeasePausesAndResumeRenewsIt) {
  start_swinging();
  rig.run_for(2100ms);  // 3 s after the start, nobody renewed
  EXPECT_EQ(rig.engine.state(), SessionState::paused);
  EXPECT_EQ(rig.engine.snapshot(rig.t).pause_reason, "lease_lapsed");  // what a tablet shows
  auto remaining = rig.supervisor->lease_remaining_s(rig.t);
  ASSERT_TRUE(remaining);
  EXPECT_EQ(*remaining, 0.0);
  EXPECT_TRUE(rig.command("resume").ok);
  EXPECT_EQ(rig.engine.snapshot(rig.t).pause_reason, "");
  EXPECT_GT(*rig.supervisor->lease_remaining_s(rig.t), 2.9);
  rig.collect();
  EXPECT_TRUE(rig.recorded("session_paused", "reason", std::string{"lease_lapsed"}));
}

// A stopped session's end names who stopped it (a therapist, or the clinic from its overview:
// docs/clinic.md), the first stop of its wind-down; a session that ends by itself names no one.
TEST_F(Control, AStoppedSessionsEndNamesWhoStoppedIt) {
  auto stop_as = [this](const std::string& therapist) {
    Command c;
    c.action = Action::stop;
    c.therapist = therapist;
    return rig.control->execute(c, rig.t, {});
  };
  start_swinging();
  ASSERT_TRUE(stop_as("clinic").ok);
  rig.run_for(1s);
  ASSERT_TRUE(stop_as("t-ana").ok);  // a second stop ends the wind-down: the first is named
  rig.run_for(3s);
  ASSERT_EQ(rig.engine.state(), SessionState::idle);
  rig.collect();
  EXPECT_TRUE(rig.recorded("session_ended", "stopped_by", std::string{"clinic"}));
  EXPECT_FALSE(rig.recorded("session_ended", "stopped_by", std::string{"t-ana"}));
  // The next session ended by an E-stop names no stopper.
  rig.records.clear();
  start_swinging();
  ASSERT_TRUE(rig.command("estop").ok);
  rig.run_for(100ms);
  rig.collect();
  EXPECT_TRUE(rig.recorded("session_ended", "reason", std::string{"estop"}));
  for (const auto& r : rig.records) EXPECT_EQ(r.fields.find("stopped_by"), nullptr);
}

TEST_F(Control, LeaseWithoutASessionIsRefusedAndTheLeaseEndsWithTheSession) {
  EXPECT_EQ(rig.command("lease").code, "not_allowed_in_state");
  start_swinging();
  EXPECT_TRUE(rig.supervisor->lease_remaining_s(rig.t).has_value());
  EXPECT_TRUE(rig.command("stop").ok);
  rig.run_for(3s);
  EXPECT_EQ(rig.engine.state(), SessionState::idle);
  EXPECT_FALSE(rig.supervisor->lease_remaining_s(rig.t).has_value());
  rig.run_for(5s);  // long past the lease: no lease_lapsed without a session
  EXPECT_FALSE(rig.supervisor->interlocks().holds(Cause::lease_lapsed));
}

// The rig's room with child c-9, capped at 4 degrees, and the start of "calm" for c-9.
config::Room room_with_child_c9() {
  config::Room room = test::rig_room();
  config::Child child;
  child.id = "c-9";
  child.max_amplitude_deg = 4.0;
  room.children.emplace(child.id, child);
  return room;
}

Command start_calm_for_c9() {
  Command start;
  start.action = Action::start;
  start.payload = StartFields{"calm", "c-9", 1.0};
  return start;
}

TEST(ControlCaps, AChildsPlanChangedDuringASessionAppliesFromTheNextOne) {
  ControlRig rig(room_with_child_c9());
  Command start = start_calm_for_c9();
  ASSERT_TRUE(rig.control->execute(start, rig.t, {}).ok);
  rig.run_for(1s);
  // The lead saves a looser cap while the session runs (App puts it in force at once).
  rig.room_in_force().children.at("c-9").max_amplitude_deg = 10.0;
  std::uint16_t highest = 0;
  for (int i = 0; i < 100; ++i) {  // "settle" 8 deg, then "strong" 25 deg
    rig.tick();
    highest = std::max(highest, rig.reg(kMap.amplitude));
  }
  EXPECT_EQ(highest, 40);  // still the 4 deg it started with, on the drive
  ASSERT_NE(rig.control->session_child(), nullptr);
  EXPECT_EQ(rig.control->session_child()->max_amplitude_deg, 4.0);  // what the scene reads
  rig.command("stop");
  rig.run_for(5s);
  ASSERT_TRUE(rig.control->execute(start, rig.t, {}).ok);
  EXPECT_EQ(rig.control->session_child()->max_amplitude_deg, 10.0);
}

TEST(ControlCaps, AChildsAmplitudeCapHoldsOnTheDriveAndTheClampIsRecorded) {
  ControlRig rig(room_with_child_c9());
  Command start = start_calm_for_c9();
  ASSERT_TRUE(rig.control->execute(start, rig.t, {}).ok);
  std::uint16_t highest = 0;
  for (int i = 0; i < 150; ++i) {  // 3 s: "settle" asks 8 deg, "strong" 25 deg
    rig.tick();
    highest = std::max(highest, rig.reg(kMap.amplitude));
  }
  EXPECT_EQ(highest, 40);  // 4.0 deg, as the drive received it
  rig.collect();
  EXPECT_TRUE(rig.recorded("limit_clamped", "by", std::string{"child"}));
  EXPECT_TRUE(rig.recorded("limit_clamped", "max_amplitude_deg", 4.0));

  // The next session without a child has the room's limit again.
  rig.command("stop");
  rig.run_for(5s);
  ASSERT_TRUE(rig.command("start").ok);
  highest = 0;
  for (int i = 0; i < 200; ++i) {
    rig.tick();
    highest = std::max(highest, rig.reg(kMap.amplitude));
  }
  EXPECT_GT(highest, 40);
  EXPECT_LE(highest, 120);  // the room's 12 deg still holds against "strong"'s 25 deg
  rig.collect();
  EXPECT_TRUE(rig.recorded("limit_clamped", "by", std::string{"room"}));
}

TEST(ControlCaps, ASpinAskedBeyondTheRateIsClampedOnTheDriveAndTheHoldsAreRecorded) {
  ControlRig rig;
  rig.profile = "spin";  // 0.8 rev/s asked; 3 revolutions, then 4 s at rest
  ASSERT_TRUE(rig.command("start").ok);
  std::uint16_t highest = 0;
  for (int i = 0; i < 500; ++i) {  // 10 s, the tablet renewing its lease every second
    if (i % 50 == 0) rig.command("lease");
    rig.tick();
    highest = std::max(highest, rig.reg(kMap.speed));
  }
  EXPECT_EQ(highest, 500);  // 0.5 rev/s, as the drive received it
  rig.collect();
  EXPECT_TRUE(rig.recorded("limit_clamped", "limit", std::string{"max_rate_rev_s"}));
  EXPECT_TRUE(rig.recorded("limit_clamped", "limit", std::string{"max_revolutions"}));
  // 12 s into the profile the counterclockwise step asks to reverse: held for the pause.
  for (int i = 0; i < 200; ++i) {
    if (i % 50 == 0) rig.command("lease");
    rig.tick();
  }
  rig.collect();
  EXPECT_TRUE(rig.recorded("limit_clamped", "limit", std::string{"min_pause_s"}));
}

TEST_F(Control, AfterShutDownStartIsRefused) {
  start_swinging();
  rig.control->shut_down(rig.t);
  EXPECT_EQ(rig.engine.state(), SessionState::idle);
  EXPECT_EQ(rig.command("start").code, "not_allowed_in_state");
  EXPECT_TRUE(rig.command("estop").ok);  // still acted on
}

// Notes and the child's response (docs/clinical-record.md): for the running session, and up to
// 30 minutes after it ended, recorded with its id and the therapist.
Outcome annotate(ControlRig& rig, Action action, std::string session_id = {}) {
  Command c;
  c.action = action;
  c.therapist = "t-ana";
  if (action == Action::note) {
    c.payload = NoteFields{std::move(session_id), "calmer after the linear swing"};
  } else {
    c.payload = ResponseFields{std::move(session_id), 4, 3, "", std::nullopt};
  }
  return rig.control->execute(c, rig.t, {});
}

TEST_F(Control, NotesAndResponsesAreTakenDuringASessionAndForThirtyMinutesAfterIt) {
  EXPECT_EQ(annotate(rig, Action::note).code, "not_allowed_in_state");  // no session yet
  start_swinging();
  Outcome note = annotate(rig, Action::note);
  ASSERT_TRUE(note.ok) << note.message;
  std::string id = note.session_id;
  EXPECT_FALSE(id.empty());
  EXPECT_TRUE(rig.command("estop").ok);  // ends the session
  rig.run_for(29min);
  Outcome response = annotate(rig, Action::response, id);
  ASSERT_TRUE(response.ok) << response.message;
  EXPECT_EQ(response.session_id, id);
  EXPECT_EQ(annotate(rig, Action::note, "another-session").code, "not_allowed_in_state");
  rig.run_for(61s);
  EXPECT_EQ(annotate(rig, Action::response).code, "not_allowed_in_state");
  rig.collect();
  EXPECT_TRUE(rig.recorded("session_note", "text", std::string{"calmer after the linear swing"}));
  EXPECT_TRUE(rig.recorded("session_note", "therapist", std::string{"t-ana"}));
  EXPECT_TRUE(rig.recorded("session_response", "session_id", id));
  EXPECT_TRUE(rig.recorded("session_response", "before", std::int64_t{4}));
  EXPECT_TRUE(rig.recorded("session_response", "after", std::int64_t{3}));
  int responses = 0;
  for (const auto& r : rig.records) responses += r.type == EventType::session_response ? 1 : 0;
  EXPECT_EQ(responses, 1);  // the refused ones recorded nothing
}

// What the room publishes as allowed is what a command is refused by: over random sequences of
// commands, trips, door openings and time, every action the session calls allowed is carried
// out or refused for another reason (safety, say), and every other one is refused.
TEST(ControlAllowed, TheAllowedActionsAreExactlyThoseTheSessionDoesNotRefuseForItsState) {
  std::mt19937 random(20261206);
  for (int run = 0; run < 40; ++run) {
    ControlRig rig;
    for (int step = 0; step < 60; ++step) {
      auto action = kActions[random() % kActions.size()];
      switch (random() % 6) {
        case 0:
          rig.bus.discrete[{ControlRig::kDoor, 0}] = static_cast<std::uint16_t>(random() % 2);
          break;
        case 1:
          rig.run_for(std::chrono::milliseconds(20 * (1 + random() % 150)));
          break;
        default:
          break;
      }
      rig.tick();
      bool allowed = rig.control->allows(action, rig.t);
      rig.profile = random() % 2 == 0 ? "calm" : "spin";
      Outcome outcome = rig.command(std::string{to_string(action)});  // with its action's fields
      std::string what = std::string{to_string(action)} + " in run " + std::to_string(run) +
                         ", step " + std::to_string(step) + ": " + outcome.message;
      if (!allowed) {
        EXPECT_FALSE(outcome.ok) << what;
      } else if (!outcome.ok) {
        EXPECT_NE(outcome.code, "not_allowed_in_state") << what;
      }
    }
  }
}

}  // namespace
}  // namespace sensoryd
