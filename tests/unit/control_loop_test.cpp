// ControlLoop: ticks due at exact multiples of the period from the start (no drift, whatever each
// tick costs), a fresh start after a stall instead of a burst of late ticks, and a stop that
// holds from inside a tick.
#include "daemon/app/control_loop.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using Clock = ControlLoop::Clock;

TEST(ControlLoop, EachTickIsDueOnePeriodAfterThePreviousDueTimeNotAfterTheTickRan) {
  asio::io_context io;
  std::vector<Clock::time_point> due;
  ControlLoop* self = nullptr;
  // The daemon's period; a stall of five of them (100 ms) would be needed to restart the count.
  ControlLoop loop(io, 20ms, [&](Clock::time_point at) {
    due.push_back(at);
    // A tick that takes half a period must not push the next one later.
    auto busy_until = Clock::now() + 10ms;
    while (Clock::now() < busy_until) {
    }
    if (due.size() == 10) self->stop();
  });
  self = &loop;
  auto first = Clock::now();
  loop.start(first);
  io.run();
  ASSERT_EQ(due.size(), 10u);
  for (std::size_t i = 0; i < due.size(); ++i) {
    EXPECT_EQ(due[i], first + 20ms * static_cast<int>(i + 1)) << i;
  }
  EXPECT_FALSE(loop.running());
}

TEST(ControlLoop, AfterAStallTheNextTickIsDueNowAndTheRateResumesFromThere) {
  asio::io_context io;
  std::vector<Clock::time_point> due;
  ControlLoop* self = nullptr;
  ControlLoop loop(io, 10ms, [&](Clock::time_point at) {
    due.push_back(at);
    if (due.size() == 3) self->stop();
  });
  self = &loop;
  // Started as if the last tick had been due a second ago: a hundred ticks behind.
  auto before = Clock::now();
  loop.start(before - 1s);
  io.run();
  ASSERT_EQ(due.size(), 3u);
  EXPECT_GE(due[0], before);  // not one of the hundred missed ticks
  EXPECT_EQ(due[1] - due[0], 10ms);
  EXPECT_EQ(due[2] - due[1], 10ms);
}

TEST(ControlLoop, NoTickRunsAfterStop) {
  asio::io_context io;
  int ticks = 0;
  ControlLoop loop(io, 1ms, [&](Clock::time_point) { ++ticks; });
  loop.start();
  loop.stop();
  io.run();  // returns: the cancelled wait is the only work
  EXPECT_EQ(ticks, 0);
}

}  // namespace
}  // namespace sensoryd
