// End to end, rotary limits (docs/safety.md S8) on the real processes: a spin asked for longer than
// the room allows stops at the revolution limit, pauses, and reverses only after a full pause;
// every figure is counted on the drive simulator's recording.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/e2e/recording_checks.hpp"
#include "tests/support/simulated_room.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr double kMaxRevolutions = 2.0;
constexpr double kPauseS = 10.0;
constexpr double kMaxRate = 0.5;  // rev/s
constexpr double kRamp = 0.25;    // rev/s^2

// Two steps that wait for the therapist: 0.5 rev/s clockwise, then counterclockwise.
std::string spin_profile() {
  return R"(id = "spin"
title = "Spin"
purpose = "alerting"

[[steps]]
name = "clockwise"
wait_for_go = true
swing = { mode = "rotary", speed_rev_s = 0.5 }

[[steps]]
name = "counter"
wait_for_go = true
swing = { mode = "rotary", speed_rev_s = 0.5, direction = "counterclockwise" }
)";
}

// The drive's spin as its recorded writes made it: every run of motion between rests, with
// its direction, revolutions and the rest before it.
struct SpinRun {
  int direction = 0;
  double revolutions = 0.0;
  double rest_before_s = 0.0;
  double started_at = 0.0;
};

struct SpinRecord {
  std::vector<SpinRun> runs;
  std::vector<std::string> problems;
};

SpinRecord replay(const std::vector<json>& recording) {
  SpinRecord out;
  int control = 0, mode = 0, speed = 0, direction = 0;
  double t_prev = -1.0;
  double rest_since = -1e9;
  bool moving = false;
  std::vector<std::string> recent;  // the last writes, for a problem's context
  for (const auto& line : recording) {
    if (line.value("type", "") != "write" || line.value("unit", 0) != 1) continue;
    if (line.value("name", "") != "heartbeat") {
      recent.push_back(line.dump());
      if (recent.size() > 8) recent.erase(recent.begin());
    }
    double t = line["t"];
    bool was_moving = moving;
    if (was_moving && t_prev >= 0.0) {
      out.runs.back().revolutions += speed / 1000.0 * (t - t_prev);
    }
    t_prev = t;
    std::string name = line["name"];
    int value = line["value"];
    if (name == "control") control = value;
    if (name == "mode") mode = value;
    if (name == "speed") speed = value;
    if (name == "direction") {
      if (value != direction && was_moving) {
        std::string context;
        for (const auto& r : recent) context += "\n  " + r;
        out.problems.push_back("direction written while turning:" + context);
      }
      direction = value;
    }
    moving = control == 1 && mode == 2 && speed > 0;
    if (moving && !was_moving) out.runs.push_back({direction, 0.0, t - rest_since, t});
    if (!moving && was_moving) rest_since = t;
  }
  return out;
}

TEST(RotaryE2E, ASpinStopsAtTheRevolutionLimitAndReversesOnlyAfterAFullPause) {
  RoomOptions options;
  options.rotary = true;
  options.rotary_limits_toml = "max_revolutions = 2\n";  // tighter than 10: a shorter test
  options.profiles = {{"spin.toml", spin_profile()}};
  SimulatedRoom room(options);
  room.start_all();
  Tablet& tablet = room.tablet();
  ASSERT_EQ((tablet.reply_to("start", {{"profile", "spin"}}))["ok"], true);

  // Asked to spin on, the limiter stops it at the limit and holds it for the pause.
  auto held = [&](const std::string& limit) {
    for (const auto& r : room.session_log()) {
      if (r.value("type", "") == "limit_clamped" && r.value("limit", "") == limit) return true;
    }
    return false;
  };
  ASSERT_TRUE(wait_until([&] { return held("max_revolutions"); }, 20s)) << room.daemon_log();
  // Then the therapist moves on to the other direction: it waits for the full pause first.
  ASSERT_EQ((tablet.reply_to("go", json::object()))["ok"], true);
  auto counter_runs = [&] {
    auto record = replay(room.recording());
    return std::count_if(record.runs.begin(), record.runs.end(),
                         [](const SpinRun& r) { return r.direction == 1 && r.revolutions > 0.3; });
  };
  ASSERT_TRUE(wait_until([&] { return counter_runs() > 0; }, 30s)) << room.daemon_log();
  ASSERT_EQ((tablet.reply_to("stop", json::object()))["ok"], true);
  ASSERT_TRUE(room.wait_for_swing_at_rest(15s));

  auto recording = room.recording();
  SpinRecord record = replay(recording);
  EXPECT_TRUE(record.problems.empty()) << record.problems.front();
  std::ostringstream runs;
  for (const auto& r : record.runs) {
    runs << "\n  direction " << r.direction << ": " << r.revolutions << " rev after "
         << r.rest_before_s << " s at rest";
  }
  ASSERT_GE(record.runs.size(), 2U) << runs.str();
  EXPECT_EQ(record.runs.front().direction, 0);
  // S8 on what the drive received: no more revolutions in one direction between pauses than
  // the limit, and a full pause before every reversal.
  double since_pause = 0.0;
  for (std::size_t i = 0; i < record.runs.size(); ++i) {
    const SpinRun& run = record.runs[i];
    if (run.rest_before_s >= kPauseS) since_pause = 0.0;
    since_pause += run.revolutions;
    EXPECT_LE(since_pause, kMaxRevolutions) << "run " << i << runs.str();
    if (i > 0 && run.direction != record.runs[i - 1].direction) {
      EXPECT_GE(run.rest_before_s, kPauseS) << "reversed after a short rest" << runs.str();
    }
  }
  // The first run used the limit (less the limiter's margins), so the limit did the stopping.
  EXPECT_GT(record.runs.front().revolutions, kMaxRevolutions - 0.5) << runs.str();

  // The rate never beyond the limit, and never stepped: over any 200 ms or more, the rise is
  // within the ramp (plus one 50 ms control tick of slack for the bus's timing).
  auto speeds = writes_to(recording, "speed");
  ASSERT_FALSE(speeds.empty());
  for (std::size_t i = 0; i < speeds.size(); ++i) {
    int value = speeds[i]["value"];
    EXPECT_LE(value, kMaxRate * 1000) << speeds[i].dump();
    for (std::size_t j = i + 1; j < speeds.size(); ++j) {
      double span = speeds[j]["t"].get<double>() - speeds[i]["t"].get<double>();
      if (span < 0.2) continue;
      int rise = speeds[j]["value"].get<int>() - value;
      EXPECT_LE(rise, kRamp * 1000 * (span + 0.05))
          << speeds[i].dump() << " -> " << speeds[j].dump();
      break;
    }
  }
  EXPECT_TRUE(held("min_pause_s")) << "the reversal's hold was not recorded";
}

}  // namespace
}  // namespace sensoryd::test
