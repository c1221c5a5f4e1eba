// End to end, the whole room in one test, for each platform sensoryd ships on: natively in
// scripts/test, and the arm64 build's programs under qemu-user in scripts/build-arm64 --test
// (SENSORYD_LAUNCHER, docs/hardware.md). A session moves the swing, the E-stop input stops it
// within S3's bound, and with sensoryd killed mid-swing the drive's own watchdog stops it (S6):
// each read on the simulator's recording.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

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
  room.press_estop();
  ASSERT_TRUE(room.wait_for_swing_at_rest(20s));
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 10s));
  double latency = input_to_stop_s(room.recording(), 3, 0);
  // S3: one safety poll (20 ms) + 10 ms, on what the drive received.
  EXPECT_LE(latency, 0.030) << "E-stop to stop write took " << latency * 1000 << " ms";

  room.release_estop();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = tablet.latest_json("safety");
        return s && s->value("reset_possible", false);
      },
      10s));
  ASSERT_EQ((tablet.reply_to("reset", {{"therapist", "ana"}}))["ok"], true);
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "calm"}}))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_amplitude(4.0, 20s));

  room.daemon().signal(SIGKILL);
  ASSERT_TRUE(room.daemon().wait_exit(10s));
  ASSERT_TRUE(
      wait_until([&] { return first_event(room.recording(), "comm_loss_stop").has_value(); }, 5s))
      << "the drive never noticed that sensoryd was gone";
  auto recording = room.recording();
  auto trip = *first_event(recording, "comm_loss_stop");
  // S6: the drive stops itself once sensoryd's writes have been silent for its timeout.
  EXPECT_LE(silence_before(recording, trip), 0.400 + 0.050);
  EXPECT_GT(trip["amplitude_deg"].get<double>(), 2.0) << "the swing was moving when it tripped";
  // The drive's own stop writes nothing: the seat coming to rest after the trip says it.
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& line : room.recording()) {
          if (line.value("event", "") == "motion_stopped" && line["t"] >= trip["t"]) return true;
        }
        return false;
      },
      20s))
      << "the swing kept moving after sensoryd died";
}

}  // namespace
}  // namespace sensoryd::test
