#include "devices/swing_drive.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

namespace sensoryd::devices {

namespace {

using config::Rounding;
using config::SwingKey;

// Run off, then enable, then the control register: the drive ramps down (a category 1 stop).
constexpr SwingKey kStopSwitches[] = {SwingKey::run, SwingKey::enable, SwingKey::control};

std::vector<config::RegisterSpec> polled_specs(const config::SwingDrive& drive) {
  std::vector<SwingKey> read{SwingKey::ready,     SwingKey::running, SwingKey::fault,
                             SwingKey::comm_lost, SwingKey::angle,   SwingKey::measured_amplitude,
                             SwingKey::fault_code};
  if (drive.rotary) read.push_back(SwingKey::measured_speed);
  std::vector<config::RegisterSpec> specs;
  for (SwingKey key : read) {
    if (const config::RegisterSpec* spec = config::find(drive.registers, key)) {
      specs.push_back(*spec);
    }
  }
  return specs;
}

std::array<const config::RegisterSpec*, config::kSwingKeyCount> resolve(
    const std::string& id, const config::SwingDrive& drive) {
  std::array<const config::RegisterSpec*, config::kSwingKeyCount> specs{};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    specs[i] = config::find(drive.registers, static_cast<SwingKey>(i));
  }
  auto missing = [&id](std::string_view what, std::string_view why) {
    return std::invalid_argument("swing " + id + ": " + std::string{what} +
                                 " is not in its register map: " + std::string{why});
  };
  for (const auto& required : config::required_swing_keys(drive.linear, drive.rotary)) {
    if (specs[static_cast<std::size_t>(required.key)] == nullptr) {
      throw missing("register '" + std::string{config::name_of(required.key)} + "'", required.why);
    }
  }
  auto stops = config::swing_stop_keys();
  if (std::none_of(stops.begin(), stops.end(), [&specs](SwingKey key) {
        return specs[static_cast<std::size_t>(key)] != nullptr;
      })) {
    throw missing("no stop switch ('control', or 'enable' and 'run')",
                  "sensoryd would have no way to stop the drive");
  }
  return specs;
}

}  // namespace

SwingDrive::SwingDrive(std::string id, config::SwingDrive config, RegisterBus& bus,
                       int lost_after_polls)
    : id_(std::move(id)),
      config_(std::move(config)),
      specs_(resolve(id_, config_)),
      bus_(bus),
      health_("swing " + id_, lost_after_polls, [this] { notify(); }),
      image_(polled_reads(config_)) {
  // Stop switches sharing a register (a control word's enable and run bits) stop as one write.
  for (SwingKey key : kStopSwitches) {
    const config::RegisterSpec* s = spec(key);
    if (s == nullptr) continue;
    RegisterWrite stop = toggle_write(*s, false, config_.modbus.mask_write);
    auto same = std::find_if(stop_writes_.begin(), stop_writes_.end(), [&](const auto& held) {
      return held.first == s->address && held.second.coil == stop.coil;
    });
    if (same == stop_writes_.end()) {
      stop_writes_.emplace_back(s->address, stop);
    } else {
      same->second = same->second.then(stop);
    }
  }
}

std::vector<ReadBlock> SwingDrive::polled_reads(const config::SwingDrive& config) {
  return plan_reads(polled_specs(config));
}

void SwingDrive::attach() {
  bus_.on_link_change(
      [this](bool connected, const std::string& detail) { link_changed(connected, detail); });
  for (std::size_t i = 0; i < image_.blocks().size(); ++i) {
    const ReadBlock& block = image_.blocks()[i];
    bus_.add_poll(config_.modbus.unit, block.kind, block.address, block.count,
                  config_.modbus.poll_period,
                  [this, i](const ReadResult& result) { poll_result(i, result); });
  }
}

void SwingDrive::hold_stop() {
  for (const auto& [address, write] : stop_writes_) bus_.hold(config_.modbus.unit, address, write);
}

void SwingDrive::release_stop() {
  for (const auto& [address, write] : stop_writes_) {
    bus_.release(config_.modbus.unit, address, write.coil);
  }
}

void SwingDrive::confirm_stop(std::function<void(bool)> done) {
  if (!link_up_ || stop_writes_.empty()) {
    done(false);
    return;
  }
  // Every stop register written and acknowledged; one failure is enough to say no.
  struct Outcome {
    std::size_t waiting;
    bool ok = true;
    std::function<void(bool)> done;
  };
  auto outcome = std::make_shared<Outcome>(Outcome{stop_writes_.size(), true, std::move(done)});
  for (const auto& [address, write] : stop_writes_) {
    bus_.write(config_.modbus.unit, address, write, [outcome](const WriteResult& result) {
      outcome->ok = outcome->ok && result.ok;
      if (--outcome->waiting == 0) outcome->done(outcome->ok);
    });
  }
}

bool SwingDrive::moving_visibly() const {
  return reading_.amplitude_deg >= kFrozenCheckAmplitudeDeg ||
         reading_.speed_rev_s >= kFrozenCheckSpeedRevS;
}

void SwingDrive::notify() {
  if (on_change_) on_change_();
}

void SwingDrive::link_changed(bool connected, const std::string& detail) {
  link_up_ = connected;
  watchdog_confirmed_ = false;
  comm_lost_armed_ = false;
  ++confirm_generation_;
  last_written_.fill(std::nullopt);
  next_heartbeat_.reset();
  image_.clear();
  if (connected) {
    configure_watchdog();
  } else {
    reading_.valid = false;
    last_valid_reading_.reset();
    health_.set(Health::lost, "connection lost: " + detail);
  }
  notify();
}

// Fail-safe start (docs/safety.md S2, S6): outputs to safe, the setup written, then the comm-loss
// watchdog written and read back before motion can be allowed.
void SwingDrive::configure_watchdog() {
  stop_switches();
  write_toggle(SwingKey::fault_reset,
               false);  // a drive fault is reset by a technician, never by us
  if (config_.linear) write_number(SwingKey::amplitude, 0.0, Rounding::down);
  if (config_.rotary) write_number(SwingKey::speed, 0.0, Rounding::down);
  write_code(SwingKey::mode, static_cast<std::uint16_t>(config::SwingMode::off));
  next_heartbeat_ = Clock::time_point::min();  // due at the next tick, whatever its clock
  // Every setup write and both watchdog registers must read back as written.
  Confirmation confirmation{confirm_generation_,
                            std::make_shared<int>(static_cast<int>(config_.setup.size()) + 2)};
  for (const auto& setup : config_.setup) {
    RegisterWrite wanted = number_write(setup.spec, setup.value, Rounding::nearest);
    std::vector<std::uint16_t> words(wanted.words.begin(), wanted.words.begin() + wanted.count);
    verified_write(
        "setup '" + setup.name + "'", setup.spec, wanted,
        [words](const std::vector<std::uint16_t>& read) { return read == words; }, confirmation);
  }
  // The timeout is compared in milliseconds, whatever unit the drive keeps it in.
  const config::RegisterSpec& timeout_spec = *spec(SwingKey::comm_loss_timeout);
  double seconds = std::chrono::duration<double>(config_.comm_loss_timeout).count();
  RegisterWrite timeout = number_write(timeout_spec, seconds, Rounding::down);
  auto as_ms = [timeout_spec](const std::vector<std::uint16_t>& words) {
    return std::lround(config::decode(timeout_spec, words) * 1000.0);
  };
  long expected_ms = as_ms({timeout.words.begin(), timeout.words.begin() + timeout.count});
  verified_write(
      "comm-loss timeout", timeout_spec, timeout,
      [as_ms, expected_ms](const std::vector<std::uint16_t>& read) {
        return as_ms(read) == expected_ms;
      },
      confirmation);
  const config::RegisterSpec& action_spec = *spec(SwingKey::comm_loss_action);
  verified_write(
      "comm-loss action", action_spec, toggle_write(action_spec, true, config_.modbus.mask_write),
      [action_spec](const std::vector<std::uint16_t>& read) {
        RegisterImage one({{kind_of(action_spec.table), action_spec.address, 1}});
        one.store(0, read);
        return one.flag(action_spec) == true;
      },
      confirmation);
}

// Writes `write` and reads it back; a persistent register (kept in EEPROM) is read first and
// written only when it holds another value, so that reconnects do not wear the memory out.
void SwingDrive::verified_write(const std::string& what, const config::RegisterSpec& target,
                                const RegisterWrite& write, Matches matches,
                                const Confirmation& confirmation) {
  int unit = config_.modbus.unit;
  RegisterKind kind = kind_of(target.table);
  std::uint16_t address = target.address;
  std::uint16_t count = target.count();
  auto verify = [this, what, matches, confirmation](const ReadResult& result) {
    if (confirmation.generation != confirm_generation_) return;
    if (!result.ok || !matches(result.values)) {
      spdlog::error("swing {}: {} did not read back as written ({}): motion stays refused", id_,
                    what, result.ok ? "the drive holds another value" : result.error);
      return;
    }
    confirm_one(confirmation);
  };
  if (!target.persistent) {
    bus_.write(unit, address, write);
    bus_.read(unit, kind, address, count, verify);
    return;
  }
  bus_.read(unit, kind, address, count,
            [this, what, unit, kind, address, count, write, matches, verify,
             confirmation](const ReadResult& result) {
              if (confirmation.generation != confirm_generation_) return;
              if (result.ok && matches(result.values)) {
                verify(result);
                return;
              }
              spdlog::info("swing {}: persistent {} differs on the drive: writing it", id_, what);
              bus_.write(unit, address, write);
              bus_.read(unit, kind, address, count, verify);
            });
}

void SwingDrive::confirm_one(const Confirmation& confirmation) {
  if (confirmation.generation != confirm_generation_ || --*confirmation.pending != 0) return;
  watchdog_confirmed_ = true;
  spdlog::info("swing {}: comm-loss watchdog confirmed ({} ms, ramp stop){}", id_,
               config_.comm_loss_timeout.count(),
               config_.setup.empty() ? "" : ", setup written and read back");
  notify();
}

void SwingDrive::poll_result(std::size_t block, const ReadResult& result) {
  if (!result.ok) {
    if (health_.missed(result.error)) reading_.valid = false;
    return;
  }
  health_.answered();
  image_.store(block, result.values);
  if (!image_.complete()) return;
  // Stamped with the logic's own time (from the last tick), so that time stays an input.
  if (last_tick_) last_valid_reading_ = *last_tick_;
  update_reading();
}

void SwingDrive::update_reading() {
  auto flag = [this](SwingKey key, bool otherwise) {
    const config::RegisterSpec* s = spec(key);
    return s != nullptr ? image_.flag(*s).value_or(otherwise) : otherwise;
  };
  auto number = [this](SwingKey key) {
    const config::RegisterSpec* s = spec(key);
    return s != nullptr ? image_.number(*s).value_or(0.0) : 0.0;
  };
  reading_.valid = true;
  reading_.ready = flag(SwingKey::ready, true);
  reading_.running = flag(SwingKey::running, false);
  reading_.fault = flag(SwingKey::fault, false);
  reading_.comm_lost = flag(SwingKey::comm_lost, false);
  reading_.speed_rev_s =
      config_.rotary ? std::abs(number(SwingKey::measured_speed)) / config_.gear_ratio : 0.0;
  // Without an angle (a rotary platform) there is nothing that must keep changing.
  bool has_angle = spec(SwingKey::angle) != nullptr;
  double angle = std::round(number(SwingKey::angle) * 10.0) / 10.0;
  if (!has_angle || angle != reading_.angle_deg || !reading_.running || !moving_visibly() ||
      !last_angle_change_) {
    last_angle_change_ = last_tick_;
    frozen_ = false;
  }
  reading_.angle_deg = angle;
  reading_.amplitude_deg = number(SwingKey::measured_amplitude);
  const config::RegisterSpec* code = spec(SwingKey::fault_code);
  reading_.fault_code = code != nullptr ? image_.raw(*code).value_or(0) : 0;
  if (reading_.fault) {
    health_.set(Health::fault, "drive reports fault code " + std::to_string(reading_.fault_code));
  } else if (reading_.comm_lost && !comm_lost_armed_) {
    // Set before this link came up: the drive stopped on its own while sensoryd was not running
    // or not connected (a restart, or a reconnect after a loss that tripped already). The stop
    // written at connect clears it; it is sent again until the drive reads clear, and the drive
    // is not online meanwhile.
    for (SwingKey key : kStopSwitches) last_written_[static_cast<std::size_t>(key)].reset();
  } else if (reading_.comm_lost) {
    // The drive's own comm-loss watchdog stopped it (S6): sensoryd was silent longer than its
    // timeout (a stall of the daemon or the bus, not a death). It refuses to move until it is
    // written a stop, which the dedup would skip where a stop was the last value written: the
    // stop switches go out again, at the trip this fault makes and until the drive reads clear.
    health_.set(Health::fault,
                "stopped by its own comm-loss watchdog: no command reached it for longer than " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       config_.comm_loss_timeout)
                                       .count()) +
                    " ms; it moves again after a reset");
    for (SwingKey key : kStopSwitches) last_written_[static_cast<std::size_t>(key)].reset();
  } else if (link_up_ && !frozen_ && health_.recovered()) {
    health_.set(Health::online, {});
  }
  if (!reading_.comm_lost) comm_lost_armed_ = true;
}

void SwingDrive::write_key(SwingKey key, const RegisterWrite& write) {
  const config::RegisterSpec* s = spec(key);
  if (s == nullptr) return;
  auto& last = last_written_[static_cast<std::size_t>(key)];
  if (last == write) return;
  last = write;
  int generation = confirm_generation_;
  bus_.write(config_.modbus.unit, s->address, write,
             [this, key, write, generation](const WriteResult& result) {
               if (result.ok || generation != confirm_generation_) return;
               // Forget it so the next apply sends the then-current value; never a replay.
               auto& written = last_written_[static_cast<std::size_t>(key)];
               if (written == write) written.reset();
             });
}

void SwingDrive::write_number(SwingKey key, double value, Rounding rounding) {
  if (const config::RegisterSpec* s = spec(key)) write_key(key, number_write(*s, value, rounding));
}

void SwingDrive::write_toggle(SwingKey key, bool on) {
  if (const config::RegisterSpec* s = spec(key)) {
    write_key(key, toggle_write(*s, on, config_.modbus.mask_write));
  }
}

void SwingDrive::write_code(SwingKey key, std::uint16_t raw) {
  if (const config::RegisterSpec* s = spec(key)) write_key(key, raw_write(*s, raw));
}

void SwingDrive::stop_switches() {
  for (SwingKey key : kStopSwitches) write_toggle(key, false);
  write_toggle(SwingKey::quick_stop, true);
}

void SwingDrive::apply(const SwingOutput& output) {
  if (!link_up_) return;
  // The bus sends writes in this order: a stop disables first, a start enables last, once the
  // drive holds every setpoint it is to run with. Rounding never goes past a limit: the
  // amplitude and speed down, the period up.
  if (!output.enabled()) stop_switches();
  write_code(SwingKey::mode, static_cast<std::uint16_t>(output.mode()));
  if (config_.linear) {
    write_number(SwingKey::period, output.period_s(), Rounding::up);
    write_number(SwingKey::amplitude, output.amplitude_deg(), Rounding::down);
  }
  if (config_.rotary) {
    // The direction first: it only ever changes while the speed is 0 (the limiter's pause).
    write_toggle(SwingKey::direction, output.direction() == config::Direction::counterclockwise);
    write_number(SwingKey::speed, output.speed_rev_s() * config_.gear_ratio, Rounding::down);
  }
  if (output.enabled()) {
    write_toggle(SwingKey::quick_stop, false);
    write_toggle(SwingKey::control, true);
    write_toggle(SwingKey::enable, true);
    write_toggle(SwingKey::run, true);
  }
}

void SwingDrive::tick(Clock::time_point now) {
  if (reading_.valid && !last_valid_reading_) last_valid_reading_ = now;
  Clock::duration tick_period = last_tick_ ? now - *last_tick_ : Clock::duration::zero();
  last_tick_ = now;
  auto stale_after =
      std::max<Clock::duration>(std::chrono::seconds(1), config_.modbus.poll_period * 5);
  if (health_.health() != Health::lost && last_valid_reading_ &&
      now - *last_valid_reading_ > stale_after) {
    reading_.valid = false;
    auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_valid_reading_);
    health_.set(Health::lost, "no reading for " + std::to_string(silent.count()) + " ms");
  }
  // A seat swinging a few degrees never holds its angle (to 0.1 deg) for two seconds, even at a
  // long period: a drive or gateway that keeps answering the same values cannot be trusted.
  if (!frozen_ && reading_.valid && reading_.running && moving_visibly() && last_angle_change_ &&
      now - *last_angle_change_ > kFrozenAfter) {
    frozen_ = true;
    health_.set(Health::lost, "readings frozen: the angle has not changed for " +
                                  std::to_string(kFrozenAfter.count()) +
                                  " ms while the drive reports motion");
  }
  // Written on the last tick before it falls due rather than the first after, so that the gap
  // stays within a quarter of the timeout instead of a quarter plus a tick.
  if (!link_up_ || !next_heartbeat_ || now + tick_period < *next_heartbeat_) return;
  // A quarter of the timeout keeps the gap under half of it even when one poll is slow (S6).
  // Without a heartbeat register the drive's watchdog is restarted by the polls themselves.
  if (const config::RegisterSpec* beat = spec(SwingKey::heartbeat)) {
    bus_.write(config_.modbus.unit, beat->address, raw_write(*beat, ++heartbeat_counter_), {});
  }
  // Due a quarter after this write (not after the last due time), so that writing early on a
  // tick never lets the due time drift past a tick: every gap is at most a quarter.
  *next_heartbeat_ = now + config_.comm_loss_timeout / 4;
}

}  // namespace sensoryd::devices
