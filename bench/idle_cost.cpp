// What a room costs while nothing happens (issue #30): the whole simulated room (the swing
// drive, the E-stop and door modules, a DMX light and an amplifier on the Modbus cabinet; a
// zigbee2mqtt light, a player and a button over MQTT) ready and idle, and over `--seconds`
// (default 60): sensoryd's CPU time (every thread's, from /proc/<pid>/task/*/schedstat, in ns),
// its wake-ups (context switches), the Modbus requests it sent (its sockets' data segments, from
// `ss`: libmodbus sends each request in one), and its resident set.
//   sensoryd-bench-idle [--seconds N]
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench/bench_support.hpp"
#include "bench/raw_subscriber.hpp"
#include "tests/support/simulated_room.hpp"

namespace {

using namespace std::chrono_literals;
using sensoryd::bench::RawSubscriber;
using sensoryd::test::RoomOptions;
using sensoryd::test::SimulatedRoom;
using Clock = std::chrono::steady_clock;

struct Usage {
  long long cpu_ns = 0;
  long long switches = 0;  // voluntary and involuntary context switches
};

// Every thread's time on a CPU and its context switches, summed.
Usage usage_of(pid_t pid) {
  Usage usage;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream schedstat(task.path() / "schedstat");
    long long on_cpu = 0;
    if (schedstat >> on_cpu) usage.cpu_ns += on_cpu;
    std::ifstream status(task.path() / "status");
    std::string key;
    while (status >> key) {
      long long value = 0;
      if (key == "voluntary_ctxt_switches:" || key == "nonvoluntary_ctxt_switches:") {
        status >> value;
        usage.switches += value;
      }
      status.ignore(4096, '\n');
    }
  }
  return usage;
}

// The data segments sent so far on every TCP connection to `port` (sensoryd's to the cabinet).
long long segments_to(int port) {
  std::string command = "ss -tinH state established '( dport = :" + std::to_string(port) + " )'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run ss");
  std::string text;
  std::array<char, 4096> chunk{};
  while (std::size_t n = std::fread(chunk.data(), 1, chunk.size(), pipe.get()))
    text.append(chunk.data(), n);
  long long total = 0;
  const std::string key = "data_segs_out:";
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
    total += std::stoll(text.substr(at + key.size()));
  }
  return total;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 60;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--seconds") seconds = std::stoi(argv[i + 1]);
  }
  RoomOptions options;
  options.room_id = "room-bench";
  options.scene = true;
  options.swing_port = free_port();
  SimulatedRoom room(options);
  room.start_all();
  RawSubscriber safety(room.broker_port(), "bench-idle", "sensoryd/" + options.room_id + "/safety");
  for (auto m = safety.next(20s);; m = safety.next(20s)) {
    if (!m) throw std::runtime_error("motion never allowed:\n" + room.daemon_log());
    if (m->payload.find("\"motion_allowed\":true") != std::string::npos) break;
  }
  std::this_thread::sleep_for(2s);  // past the start's first polls and publishes
  pid_t pid = room.daemon().pid();
  auto usage_before = usage_of(pid);
  auto segments_before = segments_to(options.swing_port);
  auto from = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto usage_after = usage_of(pid);
  auto segments_after = segments_to(options.swing_port);
  double elapsed_s = std::chrono::duration<double>(Clock::now() - from).count();

  double cpu_percent =
      100.0 * static_cast<double>(usage_after.cpu_ns - usage_before.cpu_ns) / (elapsed_s * 1e9);
  long rss = sensoryd::bench::rss_kib(pid);
  std::printf("the whole room, ready and idle, over %.1f s; room in %s\n", elapsed_s,
              room.dir().string().c_str());
  std::printf("  %-34s %7.2f %% of a core  (bound 1.0: %s)\n", "sensoryd's CPU", cpu_percent,
              cpu_percent <= 1.0 ? "met" : "NOT MET");
  std::printf("  %-34s %7.1f /s\n", "Modbus requests sent",
              static_cast<double>(segments_after - segments_before) / elapsed_s);
  std::printf("  %-34s %7.1f /s\n", "context switches (all threads)",
              static_cast<double>(usage_after.switches - usage_before.switches) / elapsed_s);
  std::printf("  %-34s %7ld KiB  (bound 8192: %s), peak %ld KiB\n", "resident set", rss,
              rss <= 8192 ? "met" : "NOT MET", sensoryd::bench::peak_rss_kib(pid));
  return 0;
}
