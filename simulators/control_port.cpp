#include "simulators/control_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sensoryd::sim {

ControlPort::ControlPort(const std::string& host, int port, Handler handler)
    : handler_(std::move(handler)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    error_ = "not an IPv4 address: " + host;
    return;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 4) != 0) {
    error_ = std::strerror(errno);
    if (fd >= 0) close(fd);
    return;
  }
  listener_ = fd;
}

ControlPort::~ControlPort() {
  for (auto& [fd, pending] : clients_) close(fd);
  if (listener_ >= 0) close(listener_);
}

int ControlPort::add_to(fd_set& readable, int max_fd) const {
  if (listener_ < 0) return max_fd;
  FD_SET(listener_, &readable);
  max_fd = std::max(max_fd, listener_);
  for (const auto& [fd, pending] : clients_) {
    FD_SET(fd, &readable);
    max_fd = std::max(max_fd, fd);
  }
  return max_fd;
}

void ControlPort::serve(const fd_set& readable) {
  if (listener_ < 0) return;
  if (FD_ISSET(listener_, &readable)) {
    int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) clients_.emplace(fd, std::string{});
  }
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto& [fd, pending] = *it;
    if (!FD_ISSET(fd, &readable)) {
      ++it;
      continue;
    }
    char buffer[512];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0 || pending.size() > 4096) {
      close(fd);
      it = clients_.erase(it);
      continue;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t end = 0;
    while ((end = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      std::string answer = handler_(line) + "\n";
      // Answers are one short line; a client that does not read them loses them.
      (void)send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    }
    ++it;
  }
}

}  // namespace sensoryd::sim
