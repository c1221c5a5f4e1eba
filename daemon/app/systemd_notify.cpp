#include "daemon/app/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

namespace sensoryd {

SystemdNotifier::SystemdNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    ping_every_ = std::chrono::microseconds{usec / 2};
  }
}

void SystemdNotifier::ready() {
  if (ready_sent_) return;
  ready_sent_ = true;
  sd_notify(0, "READY=1\nSTATUS=room safe; ready");
}

void SystemdNotifier::stopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=winding the room down");
}

void SystemdNotifier::status(const std::string& text) {
  sd_notify(0, ("STATUS=" + text).c_str());
}

void SystemdNotifier::watchdog(std::chrono::steady_clock::time_point now) {
  if (!ping_every_ || now - last_ping_ < *ping_every_) return;
  last_ping_ = now;
  sd_notify(0, "WATCHDOG=1");
}

}  // namespace sensoryd
