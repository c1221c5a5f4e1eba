#include "tests/support/notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace sensoryd::test {

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string name = path_.string();
  if (fd_ < 0 || name.size() >= sizeof addr.sun_path) throw std::runtime_error("notify socket");
  std::memcpy(addr.sun_path, name.c_str(), name.size() + 1);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind notify socket " + name);
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) close(fd_);
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

std::optional<std::string> NotifySocket::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buffer[4096];
  ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
  if (n < 0) return std::nullopt;
  return std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace sensoryd::test
