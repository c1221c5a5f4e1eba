// A contact on an I/O module against a fake bus: polarity, debounce, freshness and health.
#include <gtest/gtest.h>

#include "devices/modbus_input.hpp"
#include "tests/support/fake_bus.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = devices::ModbusInput::Clock;
using devices::Health;

constexpr int kUnit = 3;

config::Input input_config(config::InputRole role, bool active_low, bool discrete = true) {
  config::Input input;
  input.role = role;
  input.active_low = active_low;
  input.debounce = 40ms;
  config::ModbusInput modbus;
  modbus.modbus.bus = "cabinet";
  modbus.modbus.unit = kUnit;
  modbus.modbus.poll_period = 20ms;
  if (!discrete) {
    modbus.contact.table = config::RegisterTable::input;
    modbus.contact = config::status_bit(modbus.contact, 2);
  }
  input.source = modbus;
  return input;
}

class Contact : public ::testing::Test {
 protected:
  void make(config::Input config) {
    input = std::make_unique<devices::ModbusInput>("in", config, bus);
    input->attach();
    input->on_change([this] { ++changes; });
    bus.link(true);
  }
  // One 20 ms poll period: the tick, then the poll's answer.
  void period() {
    t += 20ms;
    input->tick(t);
    bus.poll();
  }
  void contact(std::uint16_t value) { bus.discrete[{kUnit, 0}] = value; }

  test::FakeBus bus;
  std::unique_ptr<devices::ModbusInput> input;
  int changes = 0;
  Clock::time_point t{std::chrono::hours(1)};
};

TEST_F(Contact, AnActiveLowEStopIsPressedWhenItsContactOpensAndActsWithoutDebounce) {
  make(input_config(config::InputRole::estop, true));
  EXPECT_FALSE(input->fresh());  // no reading yet: not evidence of anything
  contact(1);
  period();
  EXPECT_TRUE(input->fresh());
  EXPECT_EQ(input->health(), Health::online);
  EXPECT_FALSE(input->active());
  int before = changes;
  contact(0);
  bus.poll();  // the very poll that sees the press, before any tick
  EXPECT_TRUE(input->active());
  EXPECT_GT(changes, before);
}

TEST_F(Contact, ASafetyInputIsReleasedOnlyAfterItStaysReleasedForTheDebounce) {
  make(input_config(config::InputRole::door, false));
  contact(1);
  period();
  EXPECT_TRUE(input->active());
  contact(0);
  period();
  EXPECT_TRUE(input->active());
  contact(1);  // bounces back: the release starts over
  period();
  contact(0);
  period();
  period();
  EXPECT_TRUE(input->active());
  period();
  EXPECT_FALSE(input->active());  // 40 ms of steady release
}

TEST_F(Contact, AChildSwitchIsDebouncedBothWays) {
  make(input_config(config::InputRole::child_switch, false));
  contact(0);
  period();
  contact(1);
  period();
  EXPECT_FALSE(input->active());  // one poll of a press is a bounce until it lasts
  contact(0);
  period();
  contact(1);
  period();
  period();
  period();
  EXPECT_TRUE(input->active());
}

TEST_F(Contact, ABitOfAnInputRegisterCanBeTheContact) {
  make(input_config(config::InputRole::door, false, false));
  bus.input[{kUnit, 0}] = 0b100;  // bit 2
  period();
  EXPECT_TRUE(input->active());
  bus.input[{kUnit, 0}] = 0b011;
  for (int i = 0; i < 4; ++i) period();
  EXPECT_FALSE(input->active());
}

TEST_F(Contact, MissedPollsDegradeThenLoseItAndItIsNoLongerFresh) {
  make(input_config(config::InputRole::estop, true));
  contact(1);
  period();
  bus.fail_requests = true;
  period();
  EXPECT_EQ(input->health(), Health::degraded);
  EXPECT_TRUE(input->fresh());  // one miss: the last reading still stands
  period();
  period();
  EXPECT_EQ(input->health(), Health::lost);
  EXPECT_FALSE(input->fresh());
  bus.fail_requests = false;
  period();
  EXPECT_EQ(input->health(), Health::online);
  EXPECT_TRUE(input->fresh());
}

TEST_F(Contact, ABusThatAnswersNothingAtAllMakesItLost) {
  make(input_config(config::InputRole::estop, true));
  contact(1);
  period();
  for (int i = 0; i < 24; ++i) {
    t += 20ms;
    input->tick(t);  // no polls answered, no failures either
  }
  EXPECT_TRUE(input->fresh());
  for (int i = 0; i < 3; ++i) {
    t += 20ms;
    input->tick(t);
  }
  EXPECT_EQ(input->health(), Health::lost);
  EXPECT_FALSE(input->fresh());
}

}  // namespace
}  // namespace sensoryd
