// A simulator's control interface: a loopback TCP port that takes one command per line and
// answers each with one line ("ok ..." or "error: ..."), so that tests and people (nc) can
// inject faults and move inputs while the simulator runs.
#pragma once

#include <sys/select.h>

#include <functional>
#include <map>
#include <string>

namespace sensoryd::sim {

class ControlPort {
 public:
  using Handler = std::function<std::string(const std::string& line)>;

  ControlPort(const std::string& host, int port, Handler handler);
  ~ControlPort();
  ControlPort(const ControlPort&) = delete;
  ControlPort& operator=(const ControlPort&) = delete;

  bool ok() const { return listener_ >= 0; }
  const std::string& error() const { return error_; }

  // Adds its descriptors to a select() set; returns the highest one (or max_fd).
  int add_to(fd_set& readable, int max_fd) const;
  // Serves whatever select() found readable.
  void serve(const fd_set& readable);

 private:
  Handler handler_;
  int listener_ = -1;
  std::string error_;
  std::map<int, std::string> clients_;  // fd -> unfinished line
};

}  // namespace sensoryd::sim
