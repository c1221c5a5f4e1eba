// Fault: a bus worker stuck inside one request. systemd's watchdog must stop being fed, so
// that systemd restarts sensoryd, while the control loop keeps running and declares the
// drive lost.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "tests/support/drip_server.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;

TEST(StuckBusFault, AHungBusWorkerStopsTheSystemdWatchdogButNotTheControlLoop) {
  DripServer drip;
  RoomOptions options;
  options.swing_port = drip.port();
  options.safety_inputs = false;  // the drip server stands in for the whole bus
  options.profiles = {{"calm.toml", short_profile("calm", 6.0, "60s")}};
  SimulatedRoom room(options);
  NotifySocket notify(room.dir() / "notify.sock");
  room.start_broker();
  Tablet& tablet = room.tablet();
  room.start_daemon({"NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=400000"});

  ASSERT_TRUE(wait_until([&] { return drip.dripping(); }, 10s)) << room.daemon_log();
  // Pings continue until the worker has been stuck for 2 s + 4 x 200 ms response timeout, then
  // stop for good.
  auto deadline = std::chrono::steady_clock::now() + 15s;
  int pings = 0;
  while (true) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the watchdog was never withheld";
    auto message = notify.receive(1500ms);
    if (!message) break;  // quiet for more than three watchdog intervals
    if (*message == "WATCHDOG=1") ++pings;
    ASSERT_TRUE(room.daemon().running()) << room.daemon_log();
  }
  EXPECT_GT(pings, 0) << "the control loop never fed the watchdog";
  // Quiet for good: nothing more within twice the watchdog interval, several times over.
  for (int i = 0; i < 3; ++i) {
    auto message = notify.receive(800ms);
    EXPECT_FALSE(message && *message == "WATCHDOG=1") << "watchdog fed while the bus is stuck";
  }
  EXPECT_NE(room.daemon_log().find("worker stuck"), std::string::npos) << room.daemon_log();

  // The control loop still runs: it answers commands and refuses motion.
  auto reply = tablet.command("start", {{"profile", "calm"}});
  ASSERT_TRUE(reply) << room.daemon_log();
  EXPECT_EQ((*reply)["error"]["code"], "device_unavailable");

  // A stuck request does not hold up a clean exit: the bus is unblocked at stop.
  room.daemon().signal(SIGTERM);
  auto status = room.daemon().wait_exit(20s);
  ASSERT_TRUE(status) << "sensoryd hung on exit with a stuck bus";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

}  // namespace
}  // namespace sensoryd::test
