#include "tests/support/drip_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace sensoryd::test {

DripServer::DripServer() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 4) != 0) {
    throw std::runtime_error("drip server cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

DripServer::~DripServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

void DripServer::run() {
  std::vector<int> clients;
  auto next_drip = std::chrono::steady_clock::now();
  while (!stop_) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (int fd : clients) fds.push_back({fd, POLLIN, 0});
    poll(fds.data(), fds.size(), 50);
    if (fds[0].revents & POLLIN) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients.push_back(fd);
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      unsigned char request[260];
      if (recv(fds[i].fd, request, sizeof request, 0) <= 0) continue;
      // MBAP header, function 0x04, byte count 250: the client now waits for 250 bytes.
      const unsigned char head[] = {request[0], request[1], 0, 0, 0, 253, 1, 0x04, 250};
      send(fds[i].fd, head, sizeof head, MSG_NOSIGNAL);
      dripping_ = true;
    }
    if (dripping_ && std::chrono::steady_clock::now() >= next_drip) {
      next_drip = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
      const unsigned char byte = 0;
      for (int fd : clients) send(fd, &byte, 1, MSG_NOSIGNAL);
    }
  }
  for (int fd : clients) close(fd);
}

}  // namespace sensoryd::test
