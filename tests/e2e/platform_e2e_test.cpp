// End to end, the whole room in one test, for each platform sensoryd ships on: natively in
// scripts/test, and the arm64 build's programs under qemu-user in scripts/build-arm64 --test
// (SENSORYD_LAUNCHER, docs/hardware.md). A session moves the swing, the E-stop input stops it
// within S3's bound, and with sensoryd killed mid-swing the drive's own watchdog stops it (S6):
// each read on the simulator's recording.
#include <gtest/gtest.h>

#include "tests/e2e/estop_and_kill.hpp"
#include "tests/support/simulated_room.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(PlatformE2E, ASessionStopsOnTheEStopAndOnAKillByTheDrivesWatchdog) {
  RoomOptions options;
  options.comm_loss_timeout_ms = 400;
  options.profiles = {{"calm.toml", short_profile("calm", 8.0, "120s")}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();

  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true) << room.daemon_log();
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 20s)) << room.daemon_log();
  estop_then_kill(room, options.comm_loss_timeout_ms);
}

}  // namespace
}  // namespace sensoryd::test
