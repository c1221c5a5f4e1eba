// systemd readiness and watchdog notifications; no-ops when not run by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sensoryd {

class SystemdNotifier {
 public:
  SystemdNotifier();
  void ready();
  void stopping();
  void status(const std::string& text);
  // Sends WATCHDOG=1 when half the watchdog interval has passed since the last one.
  void watchdog(std::chrono::steady_clock::time_point now);

 private:
  std::optional<std::chrono::microseconds> ping_every_;
  std::chrono::steady_clock::time_point last_ping_{};
  bool ready_sent_ = false;
};

}  // namespace sensoryd
