// The simulated drive's physics: tests rely on it to stand for real equipment.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "simulators/swing_model.hpp"

namespace sensoryd::sim {
namespace {

using namespace std::chrono_literals;
using Clock = SwingModel::Clock;

class Model : public ::testing::Test {
 protected:
  Clock::time_point t{std::chrono::hours(1)};
  std::vector<std::string> events;
  SwingModel model{SwingPhysics{4.0, 8.0, 45.0}, t,
                   [this](const std::string& e, double) { events.push_back(e); }};

  void run_for(std::chrono::milliseconds span, bool feed) {
    for (auto end = t + span; t < end;) {
      t += 10ms;
      if (feed) model.write(reg::heartbeat, 1, t);
      model.step(t);
    }
  }
  void enable(double amplitude_deg) {
    model.write(reg::mode, 1, t);
    model.write(reg::period, 4000, t);
    model.write(reg::amplitude, static_cast<std::uint16_t>(amplitude_deg * 10), t);
    model.write(reg::control, 1, t);
  }
};

TEST_F(Model, AmplitudeBuildsAtTheRiseRate) {
  enable(10.0);
  run_for(1000ms, true);
  EXPECT_NEAR(model.amplitude_deg(), 4.0, 0.05);
  run_for(2000ms, true);
  EXPECT_DOUBLE_EQ(model.amplitude_deg(), 10.0);
  EXPECT_EQ(model.inputs()[reg::measured_amplitude], 100);
  EXPECT_EQ(model.inputs()[reg::status] & 2, 2);  // running
}

TEST_F(Model, DisablingTakesRealTimeToStop) {
  enable(8.0);
  run_for(3000ms, true);
  model.write(reg::control, 0, t);
  run_for(500ms, true);
  EXPECT_NEAR(model.amplitude_deg(), 4.0, 0.1);
  run_for(600ms, true);
  EXPECT_DOUBLE_EQ(model.amplitude_deg(), 0.0);
  EXPECT_EQ(events, std::vector<std::string>{"motion_stopped"});
}

TEST_F(Model, CommLossWithRampStopStopsTheSwing) {
  model.write(reg::comm_loss_timeout, 500, t);
  model.write(reg::comm_loss_action, 1, t);
  enable(8.0);
  run_for(3000ms, true);
  run_for(490ms, false);
  EXPECT_FALSE(model.comm_lost());
  run_for(30ms, false);
  EXPECT_TRUE(model.comm_lost());
  EXPECT_EQ(model.holding()[reg::control], 0);
  run_for(1100ms, false);
  EXPECT_DOUBLE_EQ(model.amplitude_deg(), 0.0);
  EXPECT_EQ(events, (std::vector<std::string>{"comm_loss_stop", "motion_stopped"}));
}

TEST_F(Model, FactoryDefaultActionKeepsRunningOnCommLoss) {
  // Why sensoryd must write and read back the action: some drives run on at the last speed.
  model.write(reg::comm_loss_timeout, 500, t);
  enable(8.0);
  run_for(3000ms, true);
  run_for(2000ms, false);
  EXPECT_TRUE(model.comm_lost());
  EXPECT_DOUBLE_EQ(model.amplitude_deg(), 8.0);
}

TEST_F(Model, AfterCommLossOnlyADeliberateDisableReEnables) {
  model.write(reg::comm_loss_timeout, 500, t);
  model.write(reg::comm_loss_action, 1, t);
  enable(8.0);
  run_for(1000ms, false);
  ASSERT_TRUE(model.comm_lost());
  model.write(reg::control, 1, t);
  EXPECT_EQ(model.holding()[reg::control], 0);
  model.write(reg::control, 0, t);
  EXPECT_FALSE(model.comm_lost());
  model.write(reg::control, 1, t);
  EXPECT_EQ(model.holding()[reg::control], 1);
}

void spin(SwingModel& model, Clock::time_point t, double rev_s, std::uint16_t direction) {
  model.write(reg::mode, 2, t);
  model.write(reg::direction, direction, t);
  model.write(reg::speed, static_cast<std::uint16_t>(rev_s * 1000), t);
  model.write(reg::control, 1, t);
}

TEST_F(Model, ASpinFollowsItsSpeedAndTurnsTheHeading) {
  spin(model, t, 0.5, 0);
  run_for(1000ms, true);
  EXPECT_NEAR(model.speed_rev_s(), 0.5, 1e-9);  // 0.5 rev/s^2 by default
  double heading_before = static_cast<std::int16_t>(model.inputs()[reg::angle]) / 10.0;
  run_for(100ms, true);
  double heading_after = static_cast<std::int16_t>(model.inputs()[reg::angle]) / 10.0;
  EXPECT_NEAR(std::remainder(heading_after - heading_before, 360.0), 18.0, 0.2);
  EXPECT_EQ(model.inputs()[reg::measured_speed], 500);
  EXPECT_EQ(model.inputs()[reg::status] & 2, 2);
  run_for(2000ms, true);
  EXPECT_NEAR(model.revolutions(), 0.25 + 0.05 + 1.0, 0.01);
}

TEST_F(Model, ASpinReversesOnlyThroughRest) {
  spin(model, t, 0.5, 0);
  run_for(2000ms, true);
  model.write(reg::direction, 1, t);
  double peak = model.revolutions();
  run_for(1000ms, true);
  EXPECT_GT(model.revolutions(), peak);  // still turning clockwise while it slows
  EXPECT_NEAR(model.speed_rev_s(), 0.0, 1e-9);
  run_for(2000ms, true);
  EXPECT_NEAR(model.speed_rev_s(), 0.5, 1e-9);
  EXPECT_LT(model.revolutions(), peak + 0.25);  // now counterclockwise
}

TEST_F(Model, DisablingASpinTakesRealTimeToStop) {
  spin(model, t, 0.4, 0);
  run_for(2000ms, true);
  model.write(reg::control, 0, t);
  run_for(400ms, true);
  EXPECT_NEAR(model.speed_rev_s(), 0.2, 1e-6);
  run_for(500ms, true);
  EXPECT_EQ(model.speed_rev_s(), 0.0);
  EXPECT_EQ(events, std::vector<std::string>{"motion_stopped"});
}

}  // namespace
}  // namespace sensoryd::sim
