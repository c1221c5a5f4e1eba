// The control tick: a steady_timer re-armed from its previous expiry, not from when the tick
// ran, so the loop keeps its rate without drifting (as phosphor-pid-control's loop). After a
// stall longer than a few periods it starts again from now instead of racing to catch up.
// Runs on the logic thread; `tick` gets the time it was due.
#pragma once

#include <chrono>
#include <functional>

#include "devices/transport/asio.hpp"

namespace sensoryd {

class ControlLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using Tick = std::function<void(Clock::time_point due)>;

  // Behind by more than this many periods, the next tick is due now (no burst of late ticks).
  static constexpr int kCatchUpPeriods = 5;

  ControlLoop(asio::io_context& io, Clock::duration period, Tick tick);

  // The first tick is due one period after `first`.
  void start(Clock::time_point first = Clock::now());
  // No tick runs after it returns (a tick may call it).
  void stop();
  bool running() const { return running_; }

 private:
  void arm();

  asio::steady_timer timer_;
  Clock::duration period_;
  Tick tick_;
  Clock::time_point next_{};
  bool running_ = false;
};

}  // namespace sensoryd
