// A stand-in for systemd's notification socket: what the daemon sends with sd_notify().
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace sensoryd::test {

class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The next datagram, or nullopt when none arrives within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace sensoryd::test
