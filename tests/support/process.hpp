// A child process for end-to-end tests: started with its output in a log file, signalled, and
// always reaped (killed at the latest when the object goes away).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sensoryd::test {

// `argv` as it is started: a program of this build goes behind the words of the environment's
// SENSORYD_LAUNCHER, or else of the build's CMAKE_CROSSCOMPILING_EMULATOR (an arm64 build:
// "qemu-aarch64-static -L /", docs/hardware.md); mosquitto and other
// programs of the machine start as they are.
std::vector<std::string> launched(std::vector<std::string> argv);

// A child process for the tests; `argv` goes through launched().
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log,
               std::vector<std::string> extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // The wait status once the process has exited within `timeout`, else nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  std::string log_text() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path log_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_tcp_port();
// True once something accepts TCP connections on 127.0.0.1:port.
bool port_accepts(int port);
// Sends one line to 127.0.0.1:port and returns the one-line answer (without its newline), or
// "error: ..." when none came within `timeout`.
std::string send_line(int port, const std::string& line, std::chrono::milliseconds timeout);

}  // namespace sensoryd::test
