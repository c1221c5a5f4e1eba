// sensoryd under systemd's notify protocol, with a socket standing in for systemd.
#include <gtest/gtest.h>

#include "tests/support/notify_socket.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;

TEST(SystemdNotify, ReadyOnlyOnceSafeThenWatchdogFromTheControlLoop) {
  RoomOptions options;
  options.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
  SimulatedRoom room(options);
  NotifySocket notify(room.dir() / "notify.sock");
  room.start_broker();
  Tablet& tablet = room.tablet();
  room.start_daemon({"NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=400000"});

  // No drive yet: the room cannot be confirmed safe, so no READY=1, but the loop is alive.
  ASSERT_TRUE(wait_until([&] { return tablet.latest("availability") == "online"; }, 10s));
  int watchdogs = 0;
  for (int i = 0; i < 6; ++i) {
    auto message = notify.receive(1s);
    ASSERT_TRUE(message) << "no notification from the control loop";
    EXPECT_EQ(message->find("READY=1"), std::string::npos) << "READY=1 before the drive is safe";
    if (*message == "WATCHDOG=1") ++watchdogs;
  }
  EXPECT_GE(watchdogs, 5);

  room.start_swing();
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    auto message = notify.receive(1s);
    ASSERT_TRUE(message);
    ready = message->find("READY=1") != std::string::npos;
  }
  ASSERT_TRUE(ready);
  auto device = tablet.latest_json("devices/swing");
  ASSERT_TRUE(wait_until(
      [&] {
        device = tablet.latest_json("devices/swing");
        return device && device->value("watchdog_confirmed", false);
      },
      5s));

  room.daemon().signal(SIGTERM);
  bool stopping = false;
  for (int i = 0; i < 20 && !stopping; ++i) {
    auto message = notify.receive(1s);
    if (!message) break;
    stopping = message->find("STOPPING=1") != std::string::npos;
  }
  EXPECT_TRUE(stopping);
  ASSERT_TRUE(room.daemon().wait_exit(20s));
}

}  // namespace
}  // namespace sensoryd::test
