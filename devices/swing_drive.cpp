#include "devices/swing_drive.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>

namespace sensoryd::devices {

namespace {

std::uint16_t to_register(double value, double scale) {
  double scaled = std::round(value * scale);
  return static_cast<std::uint16_t>(std::clamp(scaled, 0.0, 65535.0));
}

}  // namespace

SwingDrive::SwingDrive(std::string id, config::SwingDrive config, RegisterBus& bus,
                       int lost_after_polls)
    : id_(std::move(id)),
      config_(std::move(config)),
      bus_(bus),
      health_("swing " + id_, lost_after_polls, [this] { notify(); }) {
  const auto& r = config_.registers;
  std::vector<std::uint16_t> polled{r.status, r.angle, r.measured_amplitude, r.fault_code};
  if (config_.rotary) polled.push_back(r.measured_speed);
  poll_first_ = *std::min_element(polled.begin(), polled.end());
  std::uint16_t last = *std::max_element(polled.begin(), polled.end());
  poll_count_ = static_cast<std::uint16_t>(last - poll_first_ + 1);
}

void SwingDrive::attach() {
  bus_.on_link_change(
      [this](bool connected, const std::string& detail) { link_changed(connected, detail); });
  bus_.add_poll(config_.modbus.unit, RegisterKind::input, poll_first_, poll_count_,
                config_.modbus.poll_period,
                [this](const ReadResult& result) { poll_result(result); });
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
  ++confirm_generation_;
  last_written_.clear();
  next_heartbeat_.reset();
  if (connected) {
    configure_watchdog();
  } else {
    reading_.valid = false;
    last_valid_reading_.reset();
    health_.set(Health::lost, "connection lost: " + detail);
  }
  notify();
}

// Fail-safe start (docs/safety.md S2, S6): outputs to safe, then the comm-loss watchdog written and
// read back before motion can be allowed.
void SwingDrive::configure_watchdog() {
  const auto& r = config_.registers;
  write_if_changed(r.control, 0);
  write_if_changed(r.amplitude, 0);
  if (config_.rotary) write_if_changed(r.speed, 0);
  write_if_changed(r.mode, static_cast<std::uint16_t>(config::SwingMode::off));
  auto timeout = static_cast<std::uint16_t>(config_.comm_loss_timeout.count());
  bus_.write(config_.modbus.unit, r.comm_loss_timeout, timeout);
  bus_.write(config_.modbus.unit, r.comm_loss_action, kCommLossActionRampStop);
  next_heartbeat_ = Clock::time_point::min();  // due at the next tick, whatever its clock
  int generation = confirm_generation_;
  auto confirmed = std::make_shared<int>(0);
  auto check = [this, generation, confirmed](std::uint16_t expected, const char* what) {
    return [this, generation, confirmed, expected, what](const ReadResult& result) {
      if (generation != confirm_generation_) return;
      if (!result.ok || result.values.empty() || result.values[0] != expected) {
        spdlog::error(
            "swing {}: comm-loss {} read back {} instead of {}: motion stays refused", id_, what,
            result.ok && !result.values.empty() ? std::to_string(result.values[0]) : result.error,
            expected);
        return;
      }
      if (++*confirmed == 2) {
        watchdog_confirmed_ = true;
        spdlog::info("swing {}: comm-loss watchdog confirmed ({} ms, ramp stop)", id_,
                     config_.comm_loss_timeout.count());
        notify();
      }
    };
  };
  bus_.read(config_.modbus.unit, RegisterKind::holding, r.comm_loss_timeout, 1,
            check(timeout, "timeout"));
  bus_.read(config_.modbus.unit, RegisterKind::holding, r.comm_loss_action, 1,
            check(kCommLossActionRampStop, "action"));
}

void SwingDrive::poll_result(const ReadResult& result) {
  if (!result.ok) {
    if (health_.missed(result.error)) reading_.valid = false;
    return;
  }
  health_.answered();
  // Stamped with the logic's own time (from the last tick), so that time stays an input.
  if (last_tick_) last_valid_reading_ = *last_tick_;
  const auto& r = config_.registers;
  auto at = [&](std::uint16_t address) { return result.values.at(address - poll_first_); };
  std::uint16_t status = at(r.status);
  reading_.valid = true;
  reading_.ready = (status & status_bits::ready) != 0;
  reading_.running = (status & status_bits::running) != 0;
  reading_.fault = (status & status_bits::fault) != 0;
  reading_.comm_lost = (status & status_bits::comm_lost) != 0;
  double angle = static_cast<std::int16_t>(at(r.angle)) / 10.0;
  reading_.speed_rev_s = config_.rotary ? at(r.measured_speed) / 1000.0 : 0.0;
  if (angle != reading_.angle_deg || !reading_.running || !moving_visibly() ||
      !last_angle_change_) {
    last_angle_change_ = last_tick_;
    frozen_ = false;
  }
  reading_.angle_deg = angle;
  reading_.amplitude_deg = at(r.measured_amplitude) / 10.0;
  reading_.fault_code = at(r.fault_code);
  if (reading_.fault) {
    health_.set(Health::fault, "drive reports fault code " + std::to_string(reading_.fault_code));
  } else if (link_up_ && !frozen_ && health_.recovered()) {
    health_.set(Health::online, {});
  }
}

void SwingDrive::write_if_changed(std::uint16_t address, std::uint16_t value) {
  auto it = last_written_.find(address);
  if (it != last_written_.end() && it->second == value) return;
  last_written_[address] = value;
  int generation = confirm_generation_;
  bus_.write(config_.modbus.unit, address, value,
             [this, address, value, generation](const WriteResult& result) {
               if (result.ok || generation != confirm_generation_) return;
               // Forget it so the next apply sends the then-current value; never a replay.
               auto found = last_written_.find(address);
               if (found != last_written_.end() && found->second == value) {
                 last_written_.erase(found);
               }
             });
}

void SwingDrive::apply(const SwingOutput& output) {
  if (!link_up_) return;
  const auto& r = config_.registers;
  // The bus sends writes in this order: a stop disables first, a start enables last, once the
  // drive holds every setpoint it is to run with.
  if (!output.enabled()) write_if_changed(r.control, 0);
  write_if_changed(r.mode, static_cast<std::uint16_t>(output.mode()));
  write_if_changed(r.period, to_register(output.period_s(), 1000.0));
  write_if_changed(r.amplitude, to_register(output.amplitude_deg(), 10.0));
  if (config_.rotary) {
    // The direction first: it only ever changes while the speed is 0 (the limiter's pause).
    write_if_changed(r.direction, static_cast<std::uint16_t>(output.direction()));
    write_if_changed(r.speed, to_register(output.speed_rev_s(), 1000.0));
  }
  if (output.enabled()) write_if_changed(r.control, 1);
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
  bus_.write(config_.modbus.unit, config_.registers.heartbeat, ++heartbeat_counter_);
  // Due a quarter after this write (not after the last due time), so that writing early on a
  // tick never lets the due time drift past a tick: every gap is at most a quarter.
  *next_heartbeat_ = now + config_.comm_loss_timeout / 4;
}

}  // namespace sensoryd::devices
