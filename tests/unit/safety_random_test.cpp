// Random sequences of commands, input changes and device faults at simulated time, through the
// session control, the supervisor and the drivers to a fake bus; after every tick, what reached
// the bus is checked against the safety invariants (docs/safety.md S3-S7, S13, S14, S19; one
// kind of step is a burst of up to 200 commands at once, with the bus's reflexes running):
//   - no amplitude beyond the limit, no rise faster than the ramp, no period below the minimum;
//   - no enable (control 1) while the E-stop is pressed or the door is open;
//   - no enable after a trip, an open door or a lapsed lease without a therapist's new start or
//     resume, and none while the session is not running;
//   - spinning (S8): no rate beyond the limit, no rise faster than the ramp, no more revolutions
//     in one direction than the limit between pauses, no reversal without a full pause; counted
//     on what the drive holds, which turns on at its last speed for the comm-loss timeout when
//     the link dies, as a real drive does before its watchdog stops it.
// Every value is read from what the fake bus holds through the register codec, and the whole
// run is made twice: with sensoryd's own map, and with a drive whose control word packs enable,
// run and direction bits beside one it does not own, a 32-bit amplitude word-swapped in 0.01 deg,
// a period in 0.01 s and a speed in motor Hz (scaled, rounded, merged bits).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <random>
#include <sstream>

#include "devices/swing_drive.hpp"
#include "tests/support/control_rig.hpp"
#include "tests/support/drive_view.hpp"

namespace sensoryd {
namespace {

using Clock = SessionControl::Clock;

using test::ControlRig;
using test::DriveView;
using test::scaled_drive;
constexpr int kSwing = ControlRig::kSwing;
constexpr int kEstop = ControlRig::kEstop;
constexpr int kDoor = ControlRig::kDoor;
constexpr double kMaxAmplitude = 12.0;  // as in the rig's room
constexpr double kRate = 3.0;           // deg/s
constexpr double kSpinRate = 0.5;       // rev/s
constexpr double kSpinRamp = 0.25;      // rev/s^2
constexpr double kRevolutions = 3.0;
constexpr double kPauseS = 4.0;
constexpr double kCommLossS = 0.4;
const config::SwingRegisterMap kMap{};  // the status and fault code stay where the rig has them

enum class Action {
  start,
  stop,
  pause,
  resume,
  go,
  lease,
  estop_command,
  reset,
  press_estop,
  release_estop,
  open_door,
  close_door,
  swing_silent,
  swing_back,
  swing_fault,
  swing_fault_clear,
  estop_module_silent,
  estop_module_back,
  burst,
  count
};

const char* name(Action a) {
  static const char* names[] = {"start",
                                "stop",
                                "pause",
                                "resume",
                                "go",
                                "lease",
                                "estop",
                                "reset",
                                "press_estop",
                                "release_estop",
                                "open_door",
                                "close_door",
                                "swing_silent",
                                "swing_back",
                                "swing_fault",
                                "swing_fault_clear",
                                "estop_module_silent",
                                "estop_module_back",
                                "burst"};
  return names[static_cast<int>(a)];
}

class World {
 public:
  World(unsigned seed, const config::SwingDrive& drive)
      : rng_(seed), drive_(drive), rig_(test::rig_room(), drive), view_(drive_, rig_.bus) {}

  int enables() const { return enables_; }
  int spins() const { return spins_; }
  int spin_pauses() const { return spin_pauses_; }
  int trips() const { return trips_; }

  // Runs one random sequence; returns the first broken invariant, or empty.
  std::string run(int actions) {
    for (int i = 0; i < actions && failure_.empty(); ++i) {
      auto action = static_cast<Action>(pick(0, static_cast<int>(Action::count) - 1));
      // Start and lease more often, so that sessions actually run between the faults.
      if (pick(0, 3) == 0) action = Action::start;
      if (pick(0, 3) == 0) action = Action::lease;
      apply(action);
      int ticks = pick(1, 60);
      for (int k = 0; k < ticks && failure_.empty(); ++k) tick();
    }
    return failure_.empty() ? failure_ : failure_ + "\nactions: " + trail_.str();
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void command(const std::string& action) {
    bool ok = rig_.command(action, pick(1, 10) / 10.0).ok;
    if (ok && (action == "start" || action == "resume")) permitted_ = true;
    trail_ << (ok ? "" : "!") << " ";
  }

  void apply(Action a) {
    trail_ << name(a);
    switch (a) {
      case Action::start:
        rig_.profile = pick(0, 1) == 0 ? "calm" : "spin";
        command("start");
        break;
      case Action::stop:
        command("stop");
        break;
      case Action::pause:
        command("pause");
        break;
      case Action::resume:
        command("resume");
        break;
      case Action::go:
        command("go");
        break;
      case Action::lease:
        command("lease");
        break;
      case Action::estop_command:
        permitted_ = false;
        command("estop");
        break;
      case Action::reset:
        command("reset");
        break;
      case Action::press_estop:
        estop_pressed_ = true;
        permitted_ = false;
        rig_.bus.discrete[{kEstop, 0}] = 0;
        trail_ << " ";
        break;
      case Action::release_estop:
        estop_pressed_ = false;
        rig_.bus.discrete[{kEstop, 0}] = 1;
        trail_ << " ";
        break;
      case Action::open_door:
        door_open_ = true;
        permitted_ = false;
        rig_.bus.discrete[{kDoor, 0}] = 1;
        trail_ << " ";
        break;
      case Action::close_door:
        door_open_ = false;
        rig_.bus.discrete[{kDoor, 0}] = 0;
        trail_ << " ";
        break;
      case Action::swing_silent:
        rig_.bus.silent_units.insert(kSwing);
        trail_ << " ";
        break;
      case Action::swing_back:
        rig_.bus.silent_units.erase(kSwing);
        trail_ << " ";
        break;
      case Action::swing_fault:
        rig_.bus.input[{kSwing, kMap.status}] = devices::status_bits::fault;
        rig_.bus.input[{kSwing, kMap.fault_code}] = 9;
        trail_ << " ";
        break;
      case Action::swing_fault_clear:
        rig_.bus.input[{kSwing, kMap.status}] = devices::status_bits::ready;
        rig_.bus.input[{kSwing, kMap.fault_code}] = 0;
        trail_ << " ";
        break;
      case Action::estop_module_silent:
        rig_.bus.silent_units.insert(kEstop);
        trail_ << " ";
        break;
      case Action::estop_module_back:
        rig_.bus.silent_units.erase(kEstop);
        trail_ << " ";
        break;
      case Action::burst: {
        // A flood: up to 200 commands at the same instant, as the Intake hands them to the
        // logic thread in slices between ticks, while the bus thread (and its reflexes) runs on.
        static const char* kKinds[] = {"start", "stop",  "pause", "resume",
                                       "go",    "lease", "reset", "estop"};
        int n = pick(20, 200);
        trail_ << "(";
        for (int j = 0; j < n; ++j) {
          std::string kind = kKinds[pick(0, 7)];
          if (kind == "estop") permitted_ = false;
          if (kind == "start") rig_.profile = pick(0, 1) == 0 ? "calm" : "spin";
          trail_ << kind;
          command(kind);
          if (j % 16 == 15) rig_.bus.poll_reflexes_only();
        }
        trail_ << ") ";
        break;
      }
      case Action::count:
        break;
    }
    // A change on the equipment's side is seen by the next poll; the tick that comes before it
    // may still act on the old state (one poll period of latency, as on a real bus).
    grace_ticks_ = 1;
    unseen_input_change_ = a == Action::press_estop || a == Action::open_door;
    state_before_tick_ = rig_.engine.state();
    check_new_writes();
  }

  void tick() {
    state_before_tick_ = rig_.engine.state();
    rig_.tick();
    // This tick's writes were made before or as a cause was seen: they are checked against
    // the state before it; a cause seen now forbids enables from the next tick on.
    check_new_writes();
    bool tripped_now = rig_.supervisor->interlocks().stop_required() ||
                       rig_.supervisor->interlocks().wind_down_required();
    if (tripped_now && permitted_) ++trips_;
    if (tripped_now) permitted_ = false;
    check_drive_stopped();
    check_spin();
    if (grace_ticks_ > 0) --grace_ticks_;
  }

  // S8 on what the drive holds: during the tick that just passed it turned at the speed it held
  // before the tick's writes (kept in held_*); then it takes this tick's values.
  void check_spin() {
    if (!failure_.empty()) return;
    constexpr double kTick = 0.02;
    bool silent = rig_.bus.silent_units.count(kSwing) != 0;
    silent_s_ = silent ? silent_s_ + kTick : 0.0;
    bool watchdog_stopped = silent && silent_s_ > kCommLossS;
    double speed = held_spin_ && !watchdog_stopped ? held_speed_ : 0.0;
    if (speed > 0.0) {
      revolutions_ += speed * kTick;
      rest_s_ = 0.0;
    } else {
      rest_s_ += kTick;
      if (rest_s_ >= kPauseS - 1e-9 && revolutions_ > 0.0) {
        revolutions_ = 0.0;
        ++spin_pauses_;
      }
    }
    if (revolutions_ > kRevolutions + 1e-6) {
      failure_ = "the drive turned " + std::to_string(revolutions_) +
                 " revolutions in one direction without a pause" + at();
      return;
    }
    if (watchdog_stopped) held_spin_ = false;
    if (silent) return;  // nothing new arrived
    bool direction = view_.counterclockwise();
    if (direction != held_direction_ && revolutions_ > 0.0) {
      failure_ = "the direction changed after " + std::to_string(revolutions_) +
                 " revolutions without a full pause" + at();
      return;
    }
    held_direction_ = direction;
    held_spin_ = view_.spinning();
    held_speed_ = view_.speed_rev_s();
    if (held_spin_ && held_speed_ > 0.0) ++spins_;
  }

  std::string at() const {
    std::ostringstream where;
    where << " at t=" << std::chrono::duration<double>(rig_.t.time_since_epoch()).count() - 3600
          << " s";
    return where.str();
  }

  // By the end of the tick whose poll saw a cause, the drive holds control 0 (S3, S5, S14).
  void check_drive_stopped() {
    if (!failure_.empty() || rig_.bus.silent_units.count(kSwing) != 0) return;  // nothing arrives
    bool estop_seen = estop_pressed_ && rig_.bus.silent_units.count(kEstop) == 0;
    bool must_stop = estop_seen || door_open_ || rig_.supervisor->interlocks().stop_required();
    if (must_stop && view_.enabled()) {
      failure_ =
          std::string("the drive is still enabled although ") +
          (estop_seen   ? "the E-stop is pressed"
           : door_open_ ? "the door is open"
                        : "an interlock requires a stop") +
          " at t=" +
          std::to_string(std::chrono::duration<double>(rig_.t.time_since_epoch()).count() - 3600);
    }
  }

  // Each write as it completes a value on the drive (both words of a 32-bit one), in units.
  void check_new_writes() {
    for (; seen_ < rig_.bus.writes.size() && failure_.empty(); ++seen_) {
      const auto& w = rig_.bus.writes[seen_];
      if (w.unit != kSwing) continue;
      shadow_[{w.unit, w.address}] = w.value;
      std::string key = shadow_view_.completes(w.address);
      if (key.empty()) continue;
      std::ostringstream where;
      where << " at t=" << std::chrono::duration<double>(rig_.t.time_since_epoch()).count() - 3600
            << " s (write #" << seen_ << ")";
      double seconds = 0.0;
      if (key == "amplitude") {
        double amplitude = shadow_view_.amplitude_deg();
        if (amplitude > kMaxAmplitude + 1e-9) {
          failure_ = "amplitude " + std::to_string(amplitude) + " beyond the limit" + where.str();
        }
        if (last_amplitude_ && amplitude > last_amplitude_->second) {
          seconds = std::chrono::duration<double>(rig_.t - last_amplitude_->first).count();
          if (amplitude - last_amplitude_->second > kRate * seconds + 0.1) {
            failure_ = "amplitude stepped from " + std::to_string(last_amplitude_->second) +
                       " to " + std::to_string(amplitude) + where.str();
          }
        }
        last_amplitude_ = {rig_.t, amplitude};
      } else if (key == "speed") {
        double speed = shadow_view_.speed_rev_s();
        if (speed > kSpinRate + 1e-9) {
          failure_ = "rotation " + std::to_string(speed) + " rev/s beyond the limit" + where.str();
        }
        if (last_speed_ && speed > last_speed_->second) {
          seconds = std::chrono::duration<double>(rig_.t - last_speed_->first).count();
          if (speed - last_speed_->second > kSpinRamp * seconds + 0.001) {
            failure_ = "rotation stepped from " + std::to_string(last_speed_->second) + " to " +
                       std::to_string(speed) + where.str();
          }
        }
        last_speed_ = {rig_.t, speed};
      } else if (key == "period") {
        double period = shadow_view_.period_s();
        if (period != 0.0 && period < 2.0 - 1e-9) {
          failure_ = "period " + std::to_string(period) + " s below the minimum" + where.str();
        }
      } else if (key == "enable" && shadow_view_.enabled() && !was_enabled_) {
        ++enables_;
        if (grace_ticks_ == 0 && (estop_pressed_ || door_open_)) {
          failure_ = "enabled while the E-stop is pressed or the door open" + where.str();
        } else if (!permitted_ && !(grace_ticks_ > 0 && unseen_input_change_)) {
          failure_ = "enabled after a trip without a new start or resume" + where.str();
        } else if (state_before_tick_ != SessionState::running &&
                   state_before_tick_ != SessionState::winding_down) {
          failure_ = std::string("enabled while the session is ") + to_string(state_before_tick_) +
                     where.str();
        }
      }
      if (key == "enable") was_enabled_ = shadow_view_.enabled();
    }
  }

  std::mt19937 rng_;
  config::SwingDrive drive_;
  ControlRig rig_;
  DriveView view_;  // what the drive holds now
  // The drive's registers as the writes so far left them, replayed one write at a time.
  test::FakeBus shadow_bus_;
  std::map<std::pair<int, std::uint16_t>, std::uint16_t>& shadow_ = shadow_bus_.holding;
  DriveView shadow_view_{drive_, shadow_bus_};
  bool was_enabled_ = false;
  std::size_t seen_ = 0;
  std::optional<std::pair<Clock::time_point, double>> last_amplitude_;
  std::optional<std::pair<Clock::time_point, double>> last_speed_;
  bool held_spin_ = false;
  double held_speed_ = 0.0;
  bool held_direction_ = false;
  double revolutions_ = 0.0;
  double rest_s_ = 1e9;
  double silent_s_ = 0.0;
  int spins_ = 0;
  int spin_pauses_ = 0;
  bool estop_pressed_ = false;
  bool door_open_ = false;
  bool permitted_ = false;
  int grace_ticks_ = 0;
  bool unseen_input_change_ = false;  // the last action was a press or a door not yet polled
  // Enables come from the engine's wish at the start of a tick (or a command's effect).
  SessionState state_before_tick_ = SessionState::idle;
  int enables_ = 0;
  int trips_ = 0;
  std::string failure_;
  std::ostringstream trail_;
};

struct Totals {
  int failures = 0;
  long enables = 0;
  long trips = 0;
  long spins = 0;
  long spin_pauses = 0;
};

Totals run_sequences(const config::SwingDrive& drive, unsigned count) {
  auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);  // trips log warnings by design; millions of them here
  Totals totals;
  for (unsigned seed = 1; seed <= count && totals.failures < 3; ++seed) {
    World world(seed, drive);
    std::string failure = world.run(16);
    totals.enables += world.enables();
    totals.trips += world.trips();
    totals.spins += world.spins();
    totals.spin_pauses += world.spin_pauses();
    if (!failure.empty()) {
      ++totals.failures;
      ADD_FAILURE() << "seed " << seed << ": " << failure;
    }
  }
  spdlog::set_level(level);
  std::printf(
      "random sequences: %ld enables, %ld trips while motion was allowed, %ld ticks spinning, "
      "%ld rotary pauses\n",
      totals.enables, totals.trips, totals.spins, totals.spin_pauses);
  return totals;
}

TEST(SafetyRandom, TenThousandRandomSequencesNeverBreakAnInvariant) {
  Totals totals = run_sequences(ControlRig::default_drive(), 10'000);
  // The sequences really moved the swing and really tripped it while it was allowed to move.
  EXPECT_GT(totals.enables, 4'000);
  EXPECT_GT(totals.trips, 2'000);
  // ... and spun it, through pauses that the revolution count or a stop required.
  EXPECT_GT(totals.spins, 100'000);
  EXPECT_GT(totals.spin_pauses, 1'000);
}

TEST(SafetyRandom, ADriveOfAnotherMakeInItsOwnUnitsAndBitsNeverBreaksAnInvariant) {
  Totals totals = run_sequences(scaled_drive(), 3'000);
  EXPECT_GT(totals.enables, 1'200);
  EXPECT_GT(totals.trips, 600);
  EXPECT_GT(totals.spins, 30'000);
  EXPECT_GT(totals.spin_pauses, 300);
}

}  // namespace
}  // namespace sensoryd
