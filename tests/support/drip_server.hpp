// A misbehaving Modbus TCP peer: it answers every request with the start of a frame that
// announces 250 data bytes, then sends one byte every 300 ms. A libmodbus client never times
// out on it (each byte comes within the byte timeout), so the bus worker is stuck in one request.
#pragma once

#include <atomic>
#include <thread>

namespace sensoryd::test {

class DripServer {
 public:
  DripServer();  // listens on 127.0.0.1, a free port
  ~DripServer();
  DripServer(const DripServer&) = delete;
  DripServer& operator=(const DripServer&) = delete;

  int port() const { return port_; }
  // True once a client has sent a request and the drip has begun.
  bool dripping() const { return dripping_.load(); }

 private:
  void run();
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> dripping_{false};
  std::thread thread_;
};

}  // namespace sensoryd::test
