// Waiting for a condition with a deadline: how tests synchronise with processes, never sleeps.
#pragma once

#include <chrono>
#include <thread>

namespace sensoryd::test {

// Checks `condition` until it holds or `timeout` passes; returns whether it held.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // A short pause between checks of a condition, not a synchronisation by time.
    std::this_thread::sleep_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(5));
  }
}

}  // namespace sensoryd::test
