// systemd readiness and watchdog notifications; no-ops when not run by systemd. The protocol
// (sd_notify(3), a stable interface): one datagram per notification to the AF_UNIX socket named
// by $NOTIFY_SOCKET, a path or, starting with '@', an abstract name. Spoken here rather than
// through libsystemd, which would bring six more libraries to load at every start
// (docs/performance.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sensoryd {

class SystemdNotifier {
 public:
  SystemdNotifier();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  void ready();
  void stopping();
  void status(const std::string& text);
  // Sends WATCHDOG=1 when half the watchdog interval has passed since the last one.
  void watchdog(std::chrono::steady_clock::time_point now);

 private:
  void send(const std::string& message);

  int socket_ = -1;      // datagram socket towards $NOTIFY_SOCKET; -1: not run by systemd
  std::string address_;  // the socket's name as given (a leading '@': abstract)
  std::optional<std::chrono::microseconds> ping_every_;
  std::chrono::steady_clock::time_point last_ping_{};
  bool ready_sent_ = false;
};

}  // namespace sensoryd
