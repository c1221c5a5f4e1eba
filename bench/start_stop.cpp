// How long sensoryd takes to start and to stop, as a technician's `systemctl restart` sees it:
// the process started -> its first retained state on the broker (`safety`), and SIGTERM with no
// session running -> the process gone. A real mosquitto, the Modbus simulator and the daemon as
// processes on loopback; `--runs N` starts and stops it N times (default 20), each stop after
// `--idle-ms` (default 1000) of a room ready and idle.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "bench/bench_support.hpp"
#include "bench/raw_subscriber.hpp"
#include "tests/support/simulated_room.hpp"

namespace {

using namespace std::chrono_literals;
using sensoryd::bench::Figures;
using sensoryd::bench::RawSubscriber;
using sensoryd::test::RoomOptions;
using sensoryd::test::SimulatedRoom;
using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Blocks until `pid` has exited, without reaping it (its ChildProcess does that): the moment of
// the exit, not the next poll of a wait loop.
Clock::time_point exited(pid_t pid) {
  siginfo_t info{};
  while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitid: ") + std::strerror(errno));
  }
  return Clock::now();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20;
  int idle_ms = 1000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--runs") runs = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--idle-ms") idle_ms = std::stoi(argv[i + 1]);
  }
  RoomOptions options;
  options.room_id = "room-bench";
  SimulatedRoom room(options);
  room.start_broker();
  room.start_swing();
  std::cout << "start and stop, " << runs << " times; room in " << room.dir().string() << std::endl;

  Figures start, stop;
  for (int i = 0; i < runs; ++i) {
    // Subscribed anew for each start: nothing the last run sent can arrive late, and what it
    // left retained comes flagged (MQTT 3.1.1 sets the flag only on a subscription's catch-up).
    RawSubscriber safety(room.broker_port(), "bench-start-stop",
                         "sensoryd/" + options.room_id + "/safety");
    auto started = Clock::now();
    room.start_daemon();
    auto first = safety.next(10s);
    while (first && first->retained) first = safety.next(10s);
    if (!first) throw std::runtime_error("no safety state within 10 s:\n" + room.daemon_log());
    start.add(ms_between(started, first->at));
    // Running and idle, as a room between sessions: motion allowed (the drive confirmed).
    for (auto m = first; m->payload.find("\"motion_allowed\":true") == std::string::npos;) {
      m = safety.next(10s);
      if (!m) throw std::runtime_error("motion never allowed:\n" + room.daemon_log());
    }
    // A room between sessions: idle a while, as when a technician restarts it (a stop within
    // 200 ms of the start also waits for the start's silence to reach the players).
    std::this_thread::sleep_for(std::chrono::milliseconds(idle_ms));
    pid_t pid = room.daemon().pid();
    auto signalled = Clock::now();
    room.daemon().signal(SIGTERM);
    stop.add(ms_between(signalled, exited(pid)));
    auto status = room.daemon().wait_exit(5s);
    if (!status || *status != 0) {
      throw std::runtime_error("sensoryd did not exit cleanly:\n" + room.daemon_log());
    }
  }
  start.print_max("start -> first retained state", 20.0);
  stop.print_max("SIGTERM -> exit, no session", 50.0);
  return 0;
}
