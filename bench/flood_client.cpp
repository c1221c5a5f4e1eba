// A misbehaving tablet for the bench: publishes COUNT copies of a command on TOPIC, QoS 0, as fast
// as Paho sends them, and prints "third" once a third are handed over and "done RATE" at the end
// (commands handed over a second).
// A process of its own, as the flooding device is in a room: in the bench's own process it would
// share Paho C's one send thread and command list with the tablet that presses `estop`.
//   sensoryd-bench-flood PORT TOPIC COUNT
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "tests/support/tablet.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sensoryd-bench-flood PORT TOPIC COUNT\n");
    return 2;
  }
  try {
    const int port = std::atoi(argv[1]);
    const std::string topic = argv[2];
    const std::size_t count = std::strtoul(argv[3], nullptr, 10);
    std::vector<std::string> flood(count);
    for (std::size_t i = 0; i < flood.size(); ++i) {
      flood[i] = R"({"request_id":"f)" + std::to_string(i) + R"(","intensity":0.9})";
    }
    sensoryd::test::Tablet flooder(port, "elsewhere");
    auto began = std::chrono::steady_clock::now();
    flooder.publish_burst(topic, flood, [&](std::size_t i) {
      if (i == flood.size() / 3) {
        std::printf("third\n");
        std::fflush(stdout);
      }
    });
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::printf("done %.0f\n", static_cast<double>(count) / s);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sensoryd-bench-flood: %s\n", e.what());
    return 1;
  }
}
