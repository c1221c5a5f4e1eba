#include "daemon/app/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace sensoryd {

namespace {

// $WATCHDOG_USEC when the watchdog is meant for this process ($WATCHDOG_PID absent or ours).
std::optional<std::chrono::microseconds> watchdog_interval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID")) {
    if (std::strtoll(pid, nullptr, 10) != static_cast<long long>(getpid())) return std::nullopt;
  }
  char* end = nullptr;
  unsigned long long value = std::strtoull(usec, &end, 10);
  if (end == usec || *end != '\0' || value == 0) return std::nullopt;
  return std::chrono::microseconds{value};
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  if (auto interval = watchdog_interval()) ping_every_ = *interval / 2;
  const char* name = std::getenv("NOTIFY_SOCKET");
  if (name == nullptr || (name[0] != '/' && name[0] != '@')) return;
  if (std::strlen(name) >= sizeof(sockaddr_un::sun_path)) return;
  address_ = name;
  socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

SystemdNotifier::~SystemdNotifier() {
  if (socket_ >= 0) ::close(socket_);
}

void SystemdNotifier::send(const std::string& message) {
  if (socket_ < 0) return;
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  std::memcpy(to.sun_path, address_.data(), address_.size());
  if (address_[0] == '@') to.sun_path[0] = '\0';  // an abstract socket's name
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  // systemd reads it or it is lost; nothing here waits for it (MSG_DONTWAIT).
  [[maybe_unused]] auto sent =
      ::sendto(socket_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&to), length);
}

void SystemdNotifier::ready() {
  if (ready_sent_) return;
  ready_sent_ = true;
  send("READY=1\nSTATUS=room safe; ready");
}

void SystemdNotifier::stopping() {
  send("STOPPING=1\nSTATUS=winding the room down");
}

void SystemdNotifier::status(const std::string& text) {
  send("STATUS=" + text);
}

void SystemdNotifier::watchdog(std::chrono::steady_clock::time_point now) {
  if (!ping_every_ || now - last_ping_ < *ping_every_) return;
  last_ping_ = now;
  send("WATCHDOG=1");
}

}  // namespace sensoryd
