// The state path and a tablet's command stream (issue #30), on the whole simulated room (as
// sensoryd-bench-idle: the swing drive, the E-stop and door modules, a light and an amplifier on
// the Modbus cabinet; a light, a player and a button over MQTT):
//   read -> state   the door opened and closed `--toggles` times (default 40, 1.1 s apart): from
//                   the simulator's answer that first showed the change (its recording's
//                   `bits_read`) to the `safety` message and to the door's `devices/door`
//                   message, each read by a raw subscriber on the broker;
//   commands        a session running, the tablet sends `adjust` every 20-40 ms (uniformly
//                   drawn) for `--seconds` (default 30): sensoryd's CPU and heap allocations,
//                   beside the same session as long without commands.
// Prints each figure beside its bound.
//   sensoryd-bench-state [--toggles N] [--seconds N]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bench/raw_subscriber.hpp"
#include "bench/room_usage.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace {

using namespace std::chrono_literals;
using sensoryd::bench::Figures;
using sensoryd::bench::RawSubscriber;
using sensoryd::bench::RecordingTail;
using sensoryd::bench::usage_of;
using sensoryd::test::RoomOptions;
using sensoryd::test::SimulatedRoom;
using Clock = std::chrono::steady_clock;

constexpr int kDoorUnit = 4;

// Everything under sensoryd/<room>/, each message stamped with the wall clock as it is read.
class Watcher {
 public:
  Watcher(int port, const std::string& room)
      : subscriber_(port, "bench-state", "sensoryd/" + room + "/#"),
        reading_([this](std::stop_token stop) {
          while (!stop.stop_requested()) {
            if (auto m = subscriber_.next(100ms)) {
              std::lock_guard lock(mutex_);
              seen_.push_back(std::move(*m));
            }
          }
        }) {}
  // The first message on `topic` read after `after` (wall seconds) whose payload holds `text`
  // (or lacks it, with `holds` false).
  // How many messages each topic (after sensoryd/<room>/) had between two wall times.
  std::map<std::string, int> counts(double from, double to) {
    std::lock_guard lock(mutex_);
    std::map<std::string, int> out;
    for (const auto& m : seen_) {
      if (m.wall < from || m.wall > to) continue;
      auto second_slash = m.topic.find('/', m.topic.find('/') + 1);
      ++out[m.topic.substr(second_slash + 1)];
    }
    return out;
  }
  std::optional<double> first(const std::string& topic, double after, const std::string& text,
                              bool holds) {
    std::lock_guard lock(mutex_);
    for (const auto& m : seen_) {
      if (m.wall > after && m.topic == topic &&
          (m.payload.find(text) != std::string::npos) == holds) {
        return m.wall;
      }
    }
    return std::nullopt;
  }

 private:
  RawSubscriber subscriber_;
  std::mutex mutex_;
  std::vector<RawSubscriber::Message> seen_;
  std::jthread reading_;
};

// The time of the first answer to a read of the door's contact that showed `open`, after `after`.
std::optional<double> door_read(RecordingTail& recording, double after, bool open) {
  for (const auto& line : recording.lines()) {
    if (line.value("t", 0.0) > after && line.value("event", "") == "bits_read" &&
        line.value("unit", 0) == kDoorUnit &&
        line["values"] == nlohmann::json::array({open ? 1 : 0})) {
      return line["t"].get<double>();
    }
  }
  return std::nullopt;
}

void read_to_state(SimulatedRoom& room, int toggles) {
  const std::string prefix = "sensoryd/room-bench/";
  Watcher watcher(room.broker_port(), "room-bench");
  RecordingTail recording(room.dir() / "cabinet-recording.jsonl");
  Figures to_safety, to_device, closed_to_safety;
  for (int i = 0; i < toggles; ++i) {
    bool open = i % 2 == 0;
    double before = sensoryd::bench::wall_now();
    if (open) {
      room.open_door();
    } else {
      room.close_door();
    }
    std::optional<double> read, safety, device;
    bool seen = sensoryd::test::wait_until(
        [&] {
          if (!read) read = door_read(recording, before, open);
          if (!read) return false;
          if (!safety) safety = watcher.first(prefix + "safety", *read, "\"door_open\"", open);
          if (!device) {
            device = watcher.first(prefix + "devices/door", *read,
                                   open ? "\"active\":true" : "\"active\":false", true);
          }
          return safety && device;
        },
        5s);
    if (!seen) {
      throw std::runtime_error("the door's " + std::string(open ? "opening" : "closing") +
                               " was not " + (read ? "published" : "read") +
                               " within 5 s (`safety` " + (safety ? "" : "not ") +
                               "seen, `devices/door` " + (device ? "" : "not ") + "seen)");
    }
    if (open) {
      to_safety.add((*safety - *read) * 1000.0);
      to_device.add((*device - *read) * 1000.0);
    } else {
      closed_to_safety.add((*safety - *read) * 1000.0);
    }
    std::this_thread::sleep_for(1100ms);  // past the once-a-second limit on device messages
  }
  if (toggles < 2) return;
  std::printf("the door opened and closed %d times each (no session), the idle room:\n",
              toggles / 2);
  to_safety.print("opened: read -> `safety`", 0.70);
  std::printf("  %-34s (bound p50 0.45: %s)\n", "", to_safety.at(0.5) <= 0.45 ? "met" : "NOT MET");
  to_device.print("opened: read -> `devices/door`", -1.0);
  // A closing takes effect once the contact has been stable for the input's debounce time
  // (docs/safety.md: only the release of a safety input is debounced).
  closed_to_safety.print("closed: read -> `safety` (debounced)", -1.0);
}

struct Window {
  double from = 0.0;  // wall clock
  double to = 0.0;
  double seconds = 0.0;
  double cpu_percent = 0.0;
  double allocations = 0.0;
};

template <typename During>
Window measure(pid_t pid, const sensoryd::bench::AllocationCount& allocations, int seconds,
               During during) {
  auto usage_before = usage_of(pid);
  auto allocations_before = allocations.now();
  auto from = Clock::now();
  Window window;
  window.from = sensoryd::bench::wall_now();
  during(from + std::chrono::seconds(seconds));
  window.to = sensoryd::bench::wall_now();
  window.seconds = std::chrono::duration<double>(Clock::now() - from).count();
  auto usage_after = usage_of(pid);
  window.cpu_percent = 100.0 * static_cast<double>(usage_after.cpu_ns - usage_before.cpu_ns) /
                       (window.seconds * 1e9);
  window.allocations = static_cast<double>(allocations.now() - allocations_before);
  return window;
}

void command_stream(SimulatedRoom& room, const sensoryd::bench::AllocationCount& allocations,
                    int seconds) {
  auto& tablet = room.tablet();
  Watcher watcher(room.broker_port(), "room-bench");
  auto started = tablet.command("start", {{"profile", "calm"}}, 10s);
  if (!started || !started->value("ok", false)) {
    throw std::runtime_error("start refused: " + started.value_or(nlohmann::json{}).dump());
  }
  if (!tablet.wait_for_session_state("running", 10s)) throw std::runtime_error("no session");
  std::this_thread::sleep_for(3s);  // past the start's fade
  pid_t pid = room.daemon().pid();
  Window quiet = measure(pid, allocations, seconds, [](Clock::time_point until) {
    std::this_thread::sleep_until(until);  // the window's length is the measurement
  });
  int sent = 0;
  std::mt19937 draw(30);
  std::uniform_int_distribution<int> gap_ms(20, 40);
  Window busy = measure(pid, allocations, seconds, [&](Clock::time_point until) {
    for (auto next = Clock::now(); next < until; next += std::chrono::milliseconds(gap_ms(draw))) {
      std::string id = "stream-" + std::to_string(sent);
      tablet.publish(
          "sensoryd/room-bench/cmd/adjust",
          R"({"request_id":")" + id + R"(","intensity":)" + (sent % 2 == 0 ? "0.9" : "1.0") + "}",
          false);
      ++sent;
      std::this_thread::sleep_until(next);  // pacing the tablet
    }
  });
  int answered = 0;
  for (const auto& m : tablet.messages()) {
    answered += m.topic == "sensoryd/room-bench/reply" &&
                m.payload.find("\"request_id\":\"stream-") != std::string::npos;
  }
  tablet.command("stop", nlohmann::json::object(), 5s);
  std::printf("a session running, %.0f s each, with and without `adjust` every 20-40 ms:\n",
              busy.seconds);
  std::printf("  %-34s %7.2f %% of a core\n", "sensoryd's CPU, no commands", quiet.cpu_percent);
  std::printf("  %-34s %7.2f %% of a core  (bound 2.0: %s)\n", "... with the commands",
              busy.cpu_percent, busy.cpu_percent <= 2.0 ? "met" : "NOT MET");
  std::printf("  %-34s %7d sent, %d answered (%.1f a second)\n", "commands", sent, answered,
              sent / busy.seconds);
  auto quiet_counts = watcher.counts(quiet.from, quiet.to);
  auto busy_counts = watcher.counts(busy.from, busy.to);
  std::printf("  %-34s", "sensoryd's messages a second");
  for (const auto& [topic, n] : busy_counts) {
    if (topic.rfind("cmd/", 0) == 0) continue;  // the tablet's own
    std::printf(" %s %.1f (%.1f)", topic.c_str(), n / busy.seconds,
                quiet_counts[topic] / quiet.seconds);
  }
  std::printf("  (without commands in brackets)\n");
  double per_second_quiet = quiet.allocations / quiet.seconds;
  double per_second_busy = busy.allocations / busy.seconds;
  std::printf("  %-34s %7.1f /s without, %.1f /s with: %.1f per command\n", "heap allocations",
              per_second_quiet, per_second_busy,
              sent > 0 ? (per_second_busy - per_second_quiet) * busy.seconds / sent : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  int toggles = 40;
  int seconds = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--toggles") {
      toggles = std::stoi(argv[i + 1]);
    } else if (arg == "--seconds") {
      seconds = std::stoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: sensoryd-bench-state [--toggles N] [--seconds N]\n");
      return 64;
    }
  }
  try {
    RoomOptions options;
    options.room_id = "room-bench";
    options.scene = true;
    options.swing_port = sensoryd::bench::free_port();
    options.tablet_reads = sensoryd::test::Tablet::Reads::what_the_page_reads;
    options.profiles = {{"calm.toml", sensoryd::test::short_profile("calm", 8.0, "600s")}};
    SimulatedRoom room(options);
    sensoryd::bench::AllocationCount allocations(room.dir() / "allocations");
    room.start_all(allocations.env());
    if (!room.tablet().wait_for_motion_allowed(20s)) {
      throw std::runtime_error("motion never allowed:\n" + room.daemon_log());
    }
    std::printf("room in %s\n", room.dir().string().c_str());
    read_to_state(room, toggles);
    command_stream(room, allocations, seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
