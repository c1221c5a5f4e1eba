// The single gate and the swing driver behind it, against a fake bus: what reaches the registers.
#include <gtest/gtest.h>

#include <set>

#include "tests/support/doc_tables.hpp"

#include <memory>

#include "daemon/safety/safety_supervisor.hpp"
#include "devices/swing_drive.hpp"
#include "tests/support/control_rig.hpp"

namespace sensoryd {
namespace {

using config::SwingMode;
using namespace std::chrono_literals;
using Clock = SafetySupervisor::Clock;

constexpr int kUnit = 1;

class Gate : public ::testing::Test {
 protected:
  Gate() {
    config::SwingDrive drive;
    drive.modbus.bus = "cabinet";
    drive.modbus.unit = kUnit;
    drive.comm_loss_timeout = 400ms;
    config::SwingLimits limits;
    limits.max_amplitude_deg = 20.0;
    limits.min_period_s = 3.0;
    limits.max_amplitude_rate_deg_s = 2.0;
    auto swing = std::make_unique<devices::SwingDrive>("swing", drive, bus);
    swing->attach();
    config::Limits all;
    all.swing = limits;
    supervisor = std::make_unique<SafetySupervisor>(all, std::move(swing));
  }

  std::uint16_t reg(std::uint16_t address) { return bus.holding[{kUnit, address}]; }
  // One control tick; the drive answers a poll in it unless `answering` is off.
  void tick(std::chrono::milliseconds dt, const SwingTarget& wanted) {
    t += dt;
    supervisor->update(wanted, t);
    bus.deliver();
    if (answering) bus.poll();
  }
  void bring_online() {
    bus.link(true);
    bus.deliver();  // safe writes, watchdog writes and the read-back
    bus.poll();
  }

  const config::SwingRegisterMap map{};
  test::FakeBus bus;
  std::unique_ptr<SafetySupervisor> supervisor;
  bool answering = true;
  Clock::time_point t{std::chrono::hours(1)};
  const SwingTarget swing_10{SwingMode::linear, 10.0, 4.0};
};

TEST_F(Gate, MotionIsRefusedUntilTheDriveIsOnlineAndItsWatchdogConfirmed) {
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_NE(supervisor->motion_refusal().find("lost"), std::string::npos);
  tick(20ms, swing_10);
  EXPECT_TRUE(bus.writes.empty());  // nothing reaches a bus that is down

  bus.link(true);
  EXPECT_FALSE(supervisor->motion_allowed());
  bus.deliver();
  bus.poll();
  EXPECT_TRUE(supervisor->motion_allowed());
  EXPECT_EQ(reg(map.comm_loss_timeout), 400);
  EXPECT_EQ(reg(map.comm_loss_action), 1);
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_EQ(reg(map.amplitude), 0);
}

TEST_F(Gate, AWatchdogThatDoesNotReadBackKeepsMotionRefused) {
  // A drive that accepts the write but keeps its factory action (run on at the last speed).
  bus.ignored.insert({kUnit, map.comm_loss_action});
  bring_online();
  EXPECT_EQ(supervisor->swing().health(), devices::Health::online);
  EXPECT_FALSE(supervisor->swing().watchdog_confirmed());
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_NE(supervisor->motion_refusal().find("watchdog"), std::string::npos);
  for (int i = 0; i < 50; ++i) tick(20ms, swing_10);
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_EQ(reg(map.amplitude), 0);
}

TEST_F(Gate, OutputsAreRampedAndClampedBeforeTheyReachTheDrive) {
  bring_online();
  SwingTarget greedy{SwingMode::linear, 45.0, 1.0};
  std::uint16_t previous = 0;
  for (int i = 0; i < 1000; ++i) {
    tick(20ms, greedy);
    std::uint16_t amplitude = reg(map.amplitude);
    EXPECT_LE(amplitude, 200);           // 20.0 deg in 0.1 deg
    EXPECT_LE(amplitude - previous, 1);  // at most 2 deg/s: 0.04 deg per 20 ms tick
    EXPECT_GE(reg(map.period), 3000);
    previous = amplitude;
  }
  EXPECT_EQ(reg(map.amplitude), 200);
  EXPECT_EQ(reg(map.control), 1);
  EXPECT_EQ(reg(map.mode), 1);
}

TEST_F(Gate, HeartbeatIsWrittenAtLeastEveryHalfTimeout) {
  bring_online();
  std::vector<Clock::time_point> beats;
  std::size_t seen = bus.writes.size();
  for (int i = 0; i < 250; ++i) {
    tick(20ms, SwingTarget{});
    for (; seen < bus.writes.size(); ++seen) {
      if (bus.writes[seen].address == map.heartbeat) beats.push_back(t);
    }
  }
  ASSERT_GT(beats.size(), 10u);
  for (std::size_t i = 1; i < beats.size(); ++i) EXPECT_LE(beats[i] - beats[i - 1], 200ms);
}

TEST_F(Gate, ADriveLostBeforeTheFirstTickAfterItCameOnlineStillTripsAndLatches) {
  bring_online();  // online and confirmed between two ticks: no tick has seen it yet
  ASSERT_TRUE(supervisor->swing().ready_for_motion());
  bus.link(false);
  ASSERT_EQ(supervisor->swing().health(), devices::Health::lost);
  tick(20ms, swing_10);
  EXPECT_TRUE(supervisor->interlocks().tripped());
  bring_online();
  tick(20ms, swing_10);
  EXPECT_FALSE(supervisor->motion_allowed());  // latched until a reset (S5)
  ASSERT_TRUE(supervisor->reset().done);
  EXPECT_TRUE(supervisor->motion_allowed());
}

TEST_F(Gate, ALostDriveIsToldToStopAndMotionRestartsFromRest) {
  bring_online();
  for (int i = 0; i < 300; ++i) tick(20ms, swing_10);
  ASSERT_EQ(reg(map.amplitude), 100);
  answering = false;
  bus.fail_requests = true;
  for (int i = 0; i < 3; ++i) bus.poll();
  EXPECT_EQ(supervisor->swing().health(), devices::Health::lost);
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_FALSE(supervisor->reset().done);  // the drive is still lost
  bus.fail_requests = false;
  tick(20ms, swing_10);
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_EQ(reg(map.amplitude), 0);

  bus.poll();  // answers again, but the trip stays latched: no automatic resume (S5)
  tick(20ms, swing_10);
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_TRUE(supervisor->interlocks().tripped());
  EXPECT_EQ(reg(map.control), 0);
  ASSERT_TRUE(supervisor->reset().done);
  ASSERT_TRUE(supervisor->motion_allowed());
  tick(20ms, swing_10);
  EXPECT_LE(reg(map.amplitude), 1);  // ramps up again from rest, never jumps back to 10 deg
}

TEST_F(Gate, ABusThatDeliversNothingAtAllMakesTheDriveLost) {
  bring_online();
  tick(20ms, swing_10);
  answering = false;
  for (int i = 0; i < 45; ++i) tick(20ms, swing_10);  // 0.9 s: no answers, but no failures
  EXPECT_EQ(supervisor->swing().health(), devices::Health::online);
  for (int i = 0; i < 10; ++i) tick(20ms, swing_10);
  EXPECT_EQ(supervisor->swing().health(), devices::Health::lost);
  EXPECT_NE(supervisor->swing().health_detail().find("no reading for"), std::string::npos);
  EXPECT_FALSE(supervisor->motion_allowed());
}

TEST_F(Gate, ReadingsThatFreezeWhileTheDriveSaysItRunsMakeItLost) {
  bring_online();
  bus.input[{kUnit, map.status}] = devices::status_bits::ready | devices::status_bits::running;
  bus.input[{kUnit, map.measured_amplitude}] = 50;  // 5 deg
  bus.input[{kUnit, map.angle}] = 50;               // answers keep coming, with the same angle
  for (int i = 0; i < 95; ++i) tick(20ms, swing_10);
  EXPECT_EQ(supervisor->swing().health(), devices::Health::online);
  for (int i = 0; i < 10; ++i) tick(20ms, swing_10);
  EXPECT_EQ(supervisor->swing().health(), devices::Health::lost);
  EXPECT_NE(supervisor->swing().health_detail().find("frozen"), std::string::npos);
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_EQ(reg(map.control), 0);
  bus.input[{kUnit, map.angle}] = 60;  // moving again
  tick(20ms, SwingTarget{});
  EXPECT_EQ(supervisor->swing().health(), devices::Health::online);
  EXPECT_TRUE(supervisor->interlocks().tripped());  // the loss stays latched until reset
}

TEST_F(Gate, DriveFaultRefusesMotion) {
  bring_online();
  bus.input[{kUnit, map.status}] = devices::status_bits::fault;
  bus.input[{kUnit, map.fault_code}] = 17;
  bus.poll();
  EXPECT_EQ(supervisor->swing().health(), devices::Health::fault);
  EXPECT_NE(supervisor->motion_refusal().find("fault code 17"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd

namespace sensoryd {
namespace {

// The gate with the room's safety inputs and a supervision lease (S3, S4, S13, S14).
class Interlocked : public ::testing::Test {
 protected:
  static constexpr int kEstopUnit = 3;
  static constexpr int kDoorUnit = 4;

  Interlocked() {
    config::SwingDrive drive;
    drive.modbus.unit = kUnit;
    drive.comm_loss_timeout = 400ms;
    config::Limits limits;
    limits.swing.max_amplitude_deg = 20.0;
    limits.swing.max_amplitude_rate_deg_s = 2.0;
    limits.session.lease = 10s;
    auto swing = std::make_unique<devices::SwingDrive>("swing", drive, bus);
    swing->attach();
    std::vector<std::unique_ptr<devices::ModbusInput>> inputs;
    inputs.push_back(test::make_contact("estop", config::InputRole::estop, kEstopUnit, true, bus));
    inputs.push_back(test::make_contact("door", config::InputRole::door, kDoorUnit, false, bus));
    supervisor = std::make_unique<SafetySupervisor>(limits, std::move(swing), std::move(inputs));
    bus.discrete[{kEstopUnit, 0}] = 1;  // E-stop released: its contact is closed
    bus.discrete[{kDoorUnit, 0}] = 0;   // door closed
  }

  std::uint16_t reg(std::uint16_t address) { return bus.holding[{kUnit, address}]; }
  void tick(const SwingTarget& wanted) {
    t += 20ms;
    supervisor->update(wanted, t);
    bus.deliver();
    bus.poll();
  }
  void bring_online_and_swing() {
    bus.link(true);
    bus.deliver();
    bus.poll();
    ASSERT_TRUE(supervisor->motion_allowed()) << supervisor->motion_refusal();
    supervisor->start_lease(t);
    for (int i = 0; i < 200; ++i) tick(swing_10);
    // 8 deg after 4 s at 2 deg/s; the setpoint is rounded down, never past the ramp.
    ASSERT_NEAR(reg(map.amplitude), 80, 1);
    ASSERT_EQ(reg(map.control), 1);
  }
  std::size_t writes_of(std::uint16_t address, std::uint16_t value) const {
    std::size_t n = 0;
    for (const auto& w : bus.writes) n += (w.address == address && w.value == value) ? 1 : 0;
    return n;
  }

  const config::SwingRegisterMap map{};
  test::FakeBus bus;
  std::unique_ptr<SafetySupervisor> supervisor;
  Clock::time_point t{std::chrono::hours(1)};
  const SwingTarget swing_10{SwingMode::linear, 10.0, 4.0};
};

TEST_F(Interlocked, MotionWaitsForAFreshReadingOfEverySafetyInput) {
  bus.silent_units.insert(kDoorUnit);
  bus.link(true);
  bus.deliver();
  bus.poll();
  EXPECT_TRUE(supervisor->swing().ready_for_motion());
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_NE(supervisor->motion_refusal().find("'door' has no current reading"), std::string::npos)
      << supervisor->motion_refusal();
  EXPECT_FALSE(supervisor->interlocks().tripped());  // never read yet: not a trip, just not ready
  bus.silent_units.clear();
  bus.poll();
  EXPECT_TRUE(supervisor->motion_allowed()) << supervisor->motion_refusal();
}

TEST_F(Interlocked, AnEStopPressIsWrittenAsAStopOnThePollThatSeesItNotAtTheNextTick) {
  bring_online_and_swing();
  bus.discrete[{kEstopUnit, 0}] = 0;  // pressed: the contact opens
  bus.poll();
  bus.deliver();  // the bus sends what the supervisor wrote in reaction; no tick in between
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_TRUE(supervisor->interlocks().tripped());
  EXPECT_FALSE(supervisor->motion_allowed());
}

TEST_F(Interlocked, TheBusThatReadsAPressHoldsTheDriveStoppedBeforeTheLogicHearsOfIt) {
  bring_online_and_swing();
  bus.discrete[{kEstopUnit, 0}] = 0;  // pressed
  bus.poll_reflexes_only();           // the logic thread is busy: nothing delivered to it
  EXPECT_TRUE(bus.held(kUnit, map.control));
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);  // stopped by the reflex alone
  EXPECT_FALSE(supervisor->interlocks().tripped());
  // Whatever the logic still sends from before it saw the press cannot enable the drive.
  supervisor->update(swing_10, t += 20ms);
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);
  // The logic hears of it: the trip latches, the gate orders the stop, the hold is let go.
  bus.poll();
  bus.deliver();
  EXPECT_TRUE(supervisor->interlocks().tripped());
  EXPECT_FALSE(bus.held(kUnit, map.control));
  EXPECT_EQ(reg(map.control), 0);
}

TEST_F(Interlocked, APressSeenOnlyByTheReflexStillLatchesTheTrip) {
  bring_online_and_swing();
  bus.discrete[{kEstopUnit, 0}] = 0;  // pressed for less than a poll reaches the logic
  bus.poll_reflexes_only();
  bus.discrete[{kEstopUnit, 0}] = 1;  // released before the logic read it
  for (int i = 0; i < 5; ++i) tick(swing_10);
  EXPECT_TRUE(supervisor->interlocks().tripped());
  EXPECT_TRUE(supervisor->interlocks().reset_possible());
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_FALSE(bus.held(kUnit, map.control));
  EXPECT_EQ(writes_of(map.control, 1), 1u);  // enabled once, before the press; never again
}

TEST_F(Interlocked, ADoorOpenForLessThanAPollLeavesNoHoldBehind) {
  bring_online_and_swing();
  bus.discrete[{kDoorUnit, 0}] = 1;  // opened
  bus.poll_reflexes_only();
  bus.discrete[{kDoorUnit, 0}] = 0;  // and closed before the logic read it
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);  // the reflex stopped the drive
  tick(swing_10);
  EXPECT_FALSE(bus.held(kUnit, map.control));  // the gate ordered the stop and let the hold go
  // The door does not latch: the supervisor alone lets motion ramp up again (the session, not
  // tested here, pauses and waits for a therapist's resume).
  for (int i = 0; i < 100; ++i) tick(swing_10);
  EXPECT_EQ(reg(map.control), 1);
}

TEST_F(Interlocked, AnEStopCommandHoldsTheDriveBeforeTheLogicTakesItAndIsThenLetGo) {
  bring_online_and_swing();
  supervisor->hold_for_estop_command();  // on the MQTT receive thread, as the command arrives
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);
  supervisor->update(swing_10, t += 20ms);  // the logic has not taken the command yet
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);
  supervisor->estop("tablet", t);  // its turn on the logic thread
  EXPECT_TRUE(supervisor->interlocks().tripped());
  EXPECT_FALSE(bus.held(kUnit, map.control));
}

TEST_F(Interlocked, ResetIsRefusedWhileTheEStopIsPressedAndNeverRestartsMotion) {
  bring_online_and_swing();
  bus.discrete[{kEstopUnit, 0}] = 0;
  for (int i = 0; i < 5; ++i) tick(swing_10);  // the session still asks for motion
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_FALSE(supervisor->reset().done);
  EXPECT_NE(supervisor->motion_refusal().find("latched"), std::string::npos);

  bus.discrete[{kEstopUnit, 0}] = 1;  // released
  for (int i = 0; i < 5; ++i) tick(swing_10);
  EXPECT_TRUE(supervisor->interlocks().tripped());  // released is not reset
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_TRUE(supervisor->reset().done);
  // After the reset the engine (idle after an E-stop) asks for rest: nothing moves.
  std::size_t enables = writes_of(map.control, 1);
  for (int i = 0; i < 50; ++i) tick(SwingTarget{});
  EXPECT_EQ(writes_of(map.control, 1), enables);
  EXPECT_TRUE(supervisor->motion_allowed());
}

TEST_F(Interlocked, TheEStopCommandStopsAtOnceAndItsTripCanBeResetRightAway) {
  bring_online_and_swing();
  supervisor->estop("ana", t);
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_TRUE(supervisor->interlocks().reset_possible());
  EXPECT_TRUE(supervisor->reset().done);
}

TEST_F(Interlocked, AnOpenDoorStopsMotionWithoutLatchingAndClosingItDoesNotRestartByItself) {
  bring_online_and_swing();
  bus.discrete[{kDoorUnit, 0}] = 1;
  bus.poll();
  bus.deliver();
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_FALSE(supervisor->interlocks().tripped());
  EXPECT_FALSE(supervisor->motion_allowed());
  EXPECT_NE(supervisor->motion_refusal().find("door"), std::string::npos);
  bus.discrete[{kDoorUnit, 0}] = 0;
  for (int i = 0; i < 5; ++i) tick(SwingTarget{});  // the session paused: it asks for rest
  EXPECT_TRUE(supervisor->motion_allowed());
  EXPECT_EQ(reg(map.control), 0);
}

TEST_F(Interlocked, ALapsedLeaseWindsMotionDownAtTheLimiterRateInsteadOfDisabling) {
  bring_online_and_swing();  // 4 s into the lease
  int ticks = 0;
  while (!supervisor->interlocks().holds(Cause::lease_lapsed) && ticks < 400) {
    tick(swing_10);  // nobody renews it
    ++ticks;
  }
  EXPECT_EQ(ticks * 20, 6020);  // the 10 s lease, to the tick
  std::uint16_t before = reg(map.amplitude);
  for (int i = 0; i < 5; ++i) tick(swing_10);
  EXPECT_EQ(reg(map.control), 1);  // a wind-down, not a stop
  EXPECT_LT(reg(map.amplitude), before);
  EXPECT_GE(reg(map.amplitude) + 3, before);  // 2 deg/s over 100 ms, rounded down
  for (int i = 0; i < 250; ++i) tick(swing_10);
  EXPECT_EQ(reg(map.amplitude), 0);
  supervisor->renew_lease(t);
  EXPECT_FALSE(supervisor->interlocks().holds(Cause::lease_lapsed));
  EXPECT_TRUE(supervisor->motion_allowed());
}

TEST_F(Interlocked, AStaleSafetyInputTripsAndLatches) {
  bring_online_and_swing();
  bus.silent_units.insert(kEstopUnit);  // the E-stop's I/O module stops answering
  for (int i = 0; i < 3; ++i) tick(swing_10);
  bus.deliver();
  EXPECT_TRUE(supervisor->interlocks().holds(Cause::safety_input_stale));
  EXPECT_EQ(reg(map.control), 0);
  bus.silent_units.clear();
  for (int i = 0; i < 3; ++i) tick(swing_10);
  EXPECT_TRUE(supervisor->interlocks().tripped());  // answering again does not clear the trip
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_TRUE(supervisor->reset().done);
}

TEST(RefusalCodes, TheApiDocListsExactlyTheseCodes) {
  std::set<std::string> codes;
  for (std::size_t i = 1; i < kRefusalCodeCount; ++i) {
    codes.insert(std::string{to_string(static_cast<RefusalCode>(i))});
  }
  EXPECT_EQ(
      test::first_cell_names(test::source_text("docs/mqtt-api.md"), "| code | params | when |"),
      codes);
}

}  // namespace
}  // namespace sensoryd
