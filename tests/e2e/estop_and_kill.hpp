// The whole-room case that every platform and every line must pass (docs/hardware.md): with the
// swing moving, the E-stop input stops it within S3's bound; after a reset and a new start,
// sensoryd is killed and the drive's own watchdog stops it (S6). Every figure is read on what
// the drive received. A test calls it with a session already moving the swing.
#pragma once

#include <signal.h>

#include <gtest/gtest.h>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {

inline void estop_then_kill(SimulatedRoom& room, int comm_loss_timeout_ms) {
  using namespace std::chrono_literals;
  Tablet& tablet = room.tablet();
  room.press_estop();
  ASSERT_TRUE(room.wait_for_swing_at_rest(20s)) << room.daemon_log();
  ASSERT_TRUE(tablet.wait_for_session_state("idle", 10s));
  // S3: one safety poll (20 ms, the E-stop module's) + 10 ms.
  double latency = input_to_stop_s(room.recording(), 3, 0);
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
      << "the drive's own watchdog never saw sensoryd go";
  auto recording = room.recording();
  auto trip = *first_event(recording, "comm_loss_stop");
  // S6: the drive stops itself once sensoryd's writes have been silent for its timeout.
  double timeout_s = comm_loss_timeout_ms / 1000.0;
  EXPECT_LE(silence_before(recording, trip), timeout_s + 0.050);
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

}  // namespace sensoryd::test
