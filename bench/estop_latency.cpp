// E-stop latency on the real processes (docs/safety.md S3): mosquitto, the cabinet's Modbus
// simulator and sensoryd. Each trip: start a session, wait for the drive to be enabled, press
// the E-stop through the simulator's control port, and measure from the simulator's `input`
// record to the first `control = 0` write the drive received after it. Then release, reset,
// and go again. Prints p50 / p99 / max over the trips.
//   sensoryd-bench-estop [TRIPS]   (default 200)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using sensoryd::test::RoomOptions;
using sensoryd::test::SimulatedRoom;
using sensoryd::test::wait_until;

// The time of the first record after `after` that satisfies `match`, if any.
template <typename Match>
std::optional<double> first_after(const std::vector<json>& recording, double after, Match match) {
  for (const auto& line : recording) {
    double t = line.value("t", 0.0);
    if (t > after && match(line)) return t;
  }
  return std::nullopt;
}

bool is_control(const json& line, int value) {
  return line.value("type", "") == "write" && line.value("name", "") == "control" &&
         line.value("value", -1) == value;
}

bool safety_says(SimulatedRoom& room, const char* key, bool value) {
  auto safety = room.tablet().latest_json("safety");
  return safety && safety->value(key, !value) == value;
}

}  // namespace

int main(int argc, char** argv) {
  int trips = argc > 1 ? std::atoi(argv[1]) : 200;
  if (trips <= 0) {
    std::cerr << "usage: sensoryd-bench-estop [TRIPS]\n";
    return 64;
  }
  RoomOptions options;
  options.room_id = "room-bench";
  options.profiles = {{"calm.toml", sensoryd::test::short_profile("calm", 8.0, "600s")}};
  SimulatedRoom room(options);
  room.start_all();
  std::cout << "E-stop latency, input change to stop write, over " << trips << " trips (room in "
            << room.dir().string() << ")" << std::endl;

  std::vector<double> latencies_ms;
  double last = 0.0;
  for (int i = 0; i < trips; ++i) {
    auto reply = room.tablet().command("start", {{"profile", "calm"}});
    if (!reply || !reply->value("ok", false)) {
      std::cerr << "trip " << i << ": start refused: " << (reply ? reply->dump() : "no reply")
                << "\n";
      return 1;
    }
    std::optional<double> enabled;
    if (!wait_until(
            [&] {
              enabled = first_after(room.recording(), last,
                                    [](const json& l) { return is_control(l, 1); });
              return enabled.has_value();
            },
            5s)) {
      std::cerr << "trip " << i << ": the drive was never enabled\n";
      return 1;
    }
    room.press_estop();
    std::optional<double> pressed;
    std::optional<double> stopped;
    bool seen = wait_until(
        [&] {
          auto recording = room.recording();
          pressed = first_after(recording, *enabled, [](const json& l) {
            return l.value("event", "") == "input" && l.value("unit", 0) == 3 &&
                   l.value("value", -1) == 0;
          });
          if (pressed) {
            stopped =
                first_after(recording, *pressed, [](const json& l) { return is_control(l, 0); });
          }
          return stopped.has_value();
        },
        5s);
    if (!seen) {
      std::cerr << "trip " << i << ": no stop write after the press\n";
      return 1;
    }
    latencies_ms.push_back((*stopped - *pressed) * 1000.0);
    last = *stopped;
    room.release_estop();
    if (!wait_until([&] { return safety_says(room, "reset_possible", true); }, 5s)) {
      std::cerr << "trip " << i << ": reset never became possible\n";
      return 1;
    }
    room.tablet().command("reset", json::object());
    if (!wait_until([&] { return safety_says(room, "motion_allowed", true); }, 5s)) {
      std::cerr << "trip " << i << ": motion not allowed after reset\n";
      return 1;
    }
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    auto index = static_cast<std::size_t>(q * static_cast<double>(latencies_ms.size() - 1));
    return latencies_ms[index];
  };
  std::printf("trips %zu  p50 %.2f ms  p99 %.2f ms  max %.2f ms  (bound: 20 ms poll + 10 ms)\n",
              latencies_ms.size(), at(0.50), at(0.99), latencies_ms.back());
  return 0;
}
