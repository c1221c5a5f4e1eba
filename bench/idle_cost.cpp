// What a room costs while nothing happens (issue #30): the whole simulated room (the swing
// drive, the E-stop and door modules, a DMX light and an amplifier on the Modbus cabinet; a
// zigbee2mqtt light, a player and a button over MQTT) ready and idle, and over `--seconds`
// (default 60): sensoryd's CPU time (every thread's, from /proc/<pid>/task/*/schedstat, in ns),
// its wake-ups (context switches), the Modbus requests it sent (its sockets' data segments, from
// `ss`: libmodbus sends each request in one), its heap allocations (counted by
// libsensoryd-count-alloc.so, preloaded) and its resident set.
//   sensoryd-bench-idle [--seconds N]
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench/bench_support.hpp"
#include "bench/raw_subscriber.hpp"
#include "bench/room_usage.hpp"
#include "tests/support/simulated_room.hpp"

namespace {

using namespace std::chrono_literals;
using sensoryd::bench::RawSubscriber;
using sensoryd::bench::usage_of;
using sensoryd::test::RoomOptions;
using sensoryd::test::SimulatedRoom;
using Clock = std::chrono::steady_clock;

}  // namespace

int main(int argc, char** argv) {
  int seconds = 60;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--seconds") seconds = std::stoi(argv[i + 1]);
  }
  RoomOptions options;
  options.room_id = "room-bench";
  options.scene = true;
  options.swing_port = sensoryd::bench::free_port();
  SimulatedRoom room(options);
  sensoryd::bench::AllocationCount allocations(room.dir() / "allocations");
  room.start_all(allocations.env());
  RawSubscriber safety(room.broker_port(), "bench-idle", "sensoryd/" + options.room_id + "/safety");
  for (auto m = safety.next(20s);; m = safety.next(20s)) {
    if (!m) throw std::runtime_error("motion never allowed:\n" + room.daemon_log());
    if (m->payload.find("\"motion_allowed\":true") != std::string::npos) break;
  }
  std::this_thread::sleep_for(2s);  // past the start's first polls and publishes
  pid_t pid = room.daemon().pid();
  auto usage_before = usage_of(pid);
  auto segments_before = sensoryd::bench::segments_to(options.swing_port);
  auto allocations_before = allocations.now();
  auto from = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto usage_after = usage_of(pid);
  auto segments_after = sensoryd::bench::segments_to(options.swing_port);
  auto allocations_after = allocations.now();
  double elapsed_s = std::chrono::duration<double>(Clock::now() - from).count();

  double cpu_percent =
      100.0 * static_cast<double>(usage_after.cpu_ns - usage_before.cpu_ns) / (elapsed_s * 1e9);
  long rss = sensoryd::bench::rss_kib(pid);
  std::printf("the whole room, ready and idle, over %.1f s; room in %s\n", elapsed_s,
              room.dir().string().c_str());
  std::printf("  %-34s %7.2f %% of a core  (bound 1.0: %s)\n", "sensoryd's CPU", cpu_percent,
              cpu_percent <= 1.0 ? "met" : "NOT MET");
  double requests = static_cast<double>(segments_after - segments_before);
  double allocated = static_cast<double>(allocations_after - allocations_before);
  std::printf("  %-34s %7.1f /s\n", "Modbus requests sent", requests / elapsed_s);
  std::printf("  %-34s %7.1f /s, %.2f per request (bound: none on the steady path)\n",
              "heap allocations", allocated / elapsed_s, requests > 0 ? allocated / requests : 0.0);
  std::printf("  %-34s %7.1f /s\n", "context switches (all threads)",
              static_cast<double>(usage_after.switches - usage_before.switches) / elapsed_s);
  std::printf("  %-34s %7ld KiB  (bound 8192: %s), peak %ld KiB\n", "resident set", rss,
              rss <= 8192 ? "met" : "NOT MET", sensoryd::bench::peak_rss_kib(pid));
  return 0;
}
