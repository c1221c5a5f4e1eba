#include "devices/modbus_input.hpp"

#include "devices/register_io.hpp"

#include <spdlog/spdlog.h>

namespace sensoryd::devices {

ModbusInput::ModbusInput(std::string id, config::Input config, RegisterBus& bus,
                         int lost_after_polls)
    : id_(std::move(id)),
      config_(std::move(config)),
      bus_(bus),
      health_("input " + id_, lost_after_polls, [this] { notify(); }) {}

void ModbusInput::attach() {
  const auto& m = *config_.modbus();
  bus_.on_link_change([this](bool connected, const std::string& detail) {
    if (connected) return;  // health follows the polls; a new link proves nothing yet
    valid_ = false;
    last_valid_reading_.reset();
    health_.set(Health::lost, "connection lost: " + detail);
  });
  RegisterBus::Reflex reflex;
  if (is_safety_input()) {
    reflex = [this](const ReadResult& result) { this->reflex(result); };
  }
  ReadBlock read = polled_read(m);
  bus_.add_poll(
      m.modbus.unit, read.kind, read.address, read.count, m.modbus.poll_period,
      [this](const ReadResult& result) { poll_result(result); }, std::move(reflex));
}

ReadBlock ModbusInput::polled_read(const config::ModbusInput& config) {
  return {kind_of(config.contact.table), config.contact.address, 1};
}

bool ModbusInput::contact_active(const ReadResult& result) const {
  const auto& m = *config_.modbus();
  bool one_bit = m.contact.table == config::RegisterTable::discrete ||
                 m.contact.table == config::RegisterTable::coil;
  bool contact = one_bit ? result.values[0] != 0 : config::decode_flag(m.contact, result.values[0]);
  return contact != config_.active_low;
}

void ModbusInput::reflex(const ReadResult& result) {
  if (!result.ok || result.values.empty()) return;
  bool active = contact_active(result);
  // On the edge only: an E-stop held down, or a door left open, is not re-stopped every poll.
  if (active && !reflex_active_ && stop_reflex_) {
    stop_reflex_();
    reflex_ran_.store(true);
  }
  reflex_active_ = active;
}

void ModbusInput::notify() {
  if (on_change_) on_change_();
}

void ModbusInput::set_active(bool active) {
  if (active == active_) return;
  active_ = active;
  spdlog::info("input {}: {}", id_, active ? "active" : "inactive");
  notify();
}

void ModbusInput::poll_result(const ReadResult& result) {
  if (!result.ok || result.values.empty()) {
    if (health_.missed(result.error)) valid_ = false;
    return;
  }
  health_.answered();
  bool raw_active = contact_active(result);
  if (last_tick_) last_valid_reading_ = *last_tick_;
  if (!valid_ || raw_active != raw_active_) raw_since_ = last_tick_;
  raw_active_ = raw_active;
  if (!valid_) {
    valid_ = true;
    active_ = raw_active;  // the first reading is the state; nothing to debounce against
    notify();
  } else if (raw_active && is_safety_input()) {
    // The safe direction takes effect at once (an E-stop press or a door opening is never
    // debounced); only the release has to stay stable for the debounce time.
    set_active(true);
  }
  if (health_.recovered()) health_.set(Health::online, {});
}

void ModbusInput::tick(Clock::time_point now) {
  if (valid_ && !last_valid_reading_) last_valid_reading_ = now;
  if (valid_ && !raw_since_) raw_since_ = now;
  last_tick_ = now;
  auto stale_after = std::max<Clock::duration>(std::chrono::milliseconds(500),
                                               config_.modbus()->modbus.poll_period * 5);
  if (health_.health() != Health::lost && last_valid_reading_ &&
      now - *last_valid_reading_ > stale_after) {
    valid_ = false;
    auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_valid_reading_);
    health_.set(Health::lost, "no reading for " + std::to_string(silent.count()) + " ms");
  }
  if (valid_ && raw_active_ != active_ && raw_since_ && now - *raw_since_ >= config_.debounce) {
    set_active(raw_active_);
  }
}

}  // namespace sensoryd::devices
