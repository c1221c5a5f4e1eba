#include "daemon/app/control_loop.hpp"

#include <utility>

namespace sensoryd {

ControlLoop::ControlLoop(asio::io_context& io, Clock::duration period, Tick tick)
    : timer_(io), period_(period), tick_(std::move(tick)) {}

void ControlLoop::start(Clock::time_point first) {
  running_ = true;
  next_ = first;
  arm();
}

void ControlLoop::stop() {
  running_ = false;
  timer_.cancel();
}

void ControlLoop::arm() {
  next_ += period_;
  auto now = Clock::now();
  if (next_ < now - period_ * kCatchUpPeriods) next_ = now;  // after a stall, do not race
  timer_.expires_at(next_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    tick_(next_);
    if (running_) arm();
  });
}

}  // namespace sensoryd
