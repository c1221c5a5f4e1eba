#include "devices/register_output.hpp"

#include <algorithm>

namespace sensoryd::devices {

RegisterOutput::RegisterOutput(std::string name, config::ModbusBinding binding,
                               std::vector<std::uint16_t> addresses, RegisterBus& bus,
                               int lost_after_polls)
    : binding_(std::move(binding)), bus_(bus), health_(std::move(name), lost_after_polls, [this] {
        if (on_change_) on_change_();
      }) {
  auto [low, high] = std::minmax_element(addresses.begin(), addresses.end());
  first_ = *low;
  count_ = static_cast<std::uint16_t>(*high - *low + 1);
}

void RegisterOutput::attach() {
  bus_.on_link_change(
      [this](bool connected, const std::string& detail) { link_changed(connected, detail); });
  bus_.add_poll(binding_.unit, RegisterKind::holding, first_, count_, binding_.poll_period,
                [this](const ReadResult& result) { poll_result(result); });
}

void RegisterOutput::link_changed(bool connected, const std::string& detail) {
  ++generation_;
  // After a reconnect the device may have power-cycled: send everything again.
  written_.clear();
  if (!connected) {
    read_back_.clear();
    health_.set(Health::lost, "connection lost: " + detail);
  }
}

void RegisterOutput::poll_result(const ReadResult& result) {
  if (!result.ok) {
    health_.missed(result.error);
    return;
  }
  health_.answered();
  read_back_ = result.values;
  if (health_.recovered()) health_.set(Health::online, {});
}

void RegisterOutput::set(std::uint16_t address, std::uint16_t value) {
  auto it = written_.find(address);
  if (it != written_.end() && it->second == value) return;
  written_[address] = value;
  int generation = generation_;
  bus_.write(binding_.unit, address, value,
             [this, address, value, generation](const WriteResult& result) {
               if (result.ok || generation != generation_) return;
               // Forget it, so the next tick sends the then-current value; never a replay.
               auto found = written_.find(address);
               if (found != written_.end() && found->second == value) written_.erase(found);
             });
}

std::optional<std::uint16_t> RegisterOutput::read_back(std::uint16_t address) const {
  std::size_t index = static_cast<std::size_t>(address - first_);
  if (address < first_ || index >= read_back_.size()) return std::nullopt;
  return read_back_[index];
}

}  // namespace sensoryd::devices
