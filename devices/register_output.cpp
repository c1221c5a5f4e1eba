#include "devices/register_output.hpp"

namespace sensoryd::devices {

namespace {

std::vector<config::RegisterSpec> specs_of(const config::RegisterMap& map) {
  std::vector<config::RegisterSpec> specs;
  for (const auto& named : map.registers) specs.push_back(named.spec);
  return specs;
}

}  // namespace

RegisterOutput::RegisterOutput(std::string name, config::ModbusBinding binding,
                               config::RegisterMap map, RegisterBus& bus, int lost_after_polls)
    : binding_(std::move(binding)),
      map_(std::move(map)),
      bus_(bus),
      health_(std::move(name), lost_after_polls,
              [this] {
                if (on_change_) on_change_();
              }),
      image_(polled_reads(map_)) {}

std::vector<ReadBlock> RegisterOutput::polled_reads(const config::RegisterMap& map) {
  return plan_reads(specs_of(map));
}

void RegisterOutput::attach() {
  bus_.on_link_change(
      [this](bool connected, const std::string& detail) { link_changed(connected, detail); });
  for (std::size_t i = 0; i < image_.blocks().size(); ++i) {
    const ReadBlock& block = image_.blocks()[i];
    bus_.add_poll(binding_.unit, block.kind, block.address, block.count, binding_.poll_period,
                  [this, i](const ReadResult& result) { poll_result(i, result); });
  }
}

void RegisterOutput::link_changed(bool connected, const std::string& detail) {
  ++generation_;
  // After a reconnect the device may have power-cycled: send everything again.
  written_.clear();
  if (!connected) {
    image_.clear();
    health_.set(Health::lost, "connection lost: " + detail);
  }
}

void RegisterOutput::poll_result(std::size_t block, const ReadResult& result) {
  if (!result.ok) {
    health_.missed(result.error);
    return;
  }
  health_.answered();
  image_.store(block, result.values);
  if (health_.recovered()) health_.set(Health::online, {});
}

void RegisterOutput::send(const std::string& key, const RegisterWrite& write) {
  const config::RegisterSpec* spec = map_.find(key);
  if (spec == nullptr) return;
  auto it = written_.find(key);
  if (it != written_.end() && it->second == write) return;
  written_[key] = write;
  int generation = generation_;
  bus_.write(binding_.unit, spec->address, write,
             [this, key, write, generation](const WriteResult& result) {
               if (result.ok || generation != generation_) return;
               // Forget it, so the next tick sends the then-current value; never a replay.
               auto found = written_.find(key);
               if (found != written_.end() && found->second == write) written_.erase(found);
             });
}

void RegisterOutput::set_number(const std::string& key, double value) {
  if (const config::RegisterSpec* spec = map_.find(key)) {
    send(key, number_write(*spec, value, config::Rounding::nearest));
  }
}

void RegisterOutput::set_toggle(const std::string& key, bool on) {
  if (const config::RegisterSpec* spec = map_.find(key)) {
    send(key, toggle_write(*spec, on, binding_.mask_write));
  }
}

void RegisterOutput::set_code(const std::string& key, std::uint16_t raw) {
  if (const config::RegisterSpec* spec = map_.find(key)) send(key, raw_write(*spec, raw));
}

std::optional<double> RegisterOutput::number(const std::string& key) const {
  const config::RegisterSpec* spec = map_.find(key);
  return spec != nullptr ? image_.number(*spec) : std::nullopt;
}

std::optional<bool> RegisterOutput::toggle(const std::string& key) const {
  const config::RegisterSpec* spec = map_.find(key);
  return spec != nullptr ? image_.flag(*spec) : std::nullopt;
}

std::optional<std::uint16_t> RegisterOutput::code(const std::string& key) const {
  const config::RegisterSpec* spec = map_.find(key);
  return spec != nullptr ? image_.raw(*spec) : std::nullopt;
}

}  // namespace sensoryd::devices
