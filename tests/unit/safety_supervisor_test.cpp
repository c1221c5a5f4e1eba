// The single gate and the swing driver behind it, against a fake bus: what reaches the registers.
#include <gtest/gtest.h>

#include <memory>

#include "daemon/safety_supervisor.hpp"
#include "tests/support/fake_bus.hpp"

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
    supervisor = std::make_unique<SafetySupervisor>(limits, std::move(swing));
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

TEST_F(Gate, ALostDriveIsToldToStopAndMotionRestartsFromRest) {
  bring_online();
  for (int i = 0; i < 300; ++i) tick(20ms, swing_10);
  ASSERT_EQ(reg(map.amplitude), 100);
  answering = false;
  bus.fail_requests = true;
  for (int i = 0; i < 3; ++i) bus.poll();
  EXPECT_EQ(supervisor->swing().health(), devices::Health::lost);
  EXPECT_FALSE(supervisor->motion_allowed());
  bus.fail_requests = false;
  tick(20ms, swing_10);
  EXPECT_EQ(reg(map.control), 0);
  EXPECT_EQ(reg(map.amplitude), 0);

  bus.poll();  // answers again
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
