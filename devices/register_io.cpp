#include "devices/register_io.hpp"

#include <algorithm>
#include <map>

namespace sensoryd::devices {

namespace {

constexpr std::uint16_t kMaxRead = 125;  // registers in one Modbus read (fc 03/04)

bool one_bit(config::RegisterTable table) {
  return table == config::RegisterTable::coil || table == config::RegisterTable::discrete;
}

}  // namespace

RegisterKind kind_of(config::RegisterTable table) {
  switch (table) {
    case config::RegisterTable::holding:
      return RegisterKind::holding;
    case config::RegisterTable::input:
      return RegisterKind::input;
    case config::RegisterTable::coil:
      return RegisterKind::coil;
    case config::RegisterTable::discrete:
      return RegisterKind::discrete;
  }
  return RegisterKind::holding;
}

RegisterWrite number_write(const config::RegisterSpec& spec, double value,
                           config::Rounding rounding) {
  auto [low, high] = config::engineering_range(spec);
  auto words = config::encode(spec, std::clamp(value, low, high), rounding);
  if (!words) words = config::encode(spec, value < low ? low : high, config::Rounding::nearest);
  if (!words) return RegisterWrite::single(0);  // unreachable: the range's ends encode
  if (words->count == 2) return RegisterWrite::pair(words->words[0], words->words[1]);
  return RegisterWrite::single(words->words[0]);
}

RegisterWrite toggle_write(const config::RegisterSpec& spec, bool on, bool mask_write) {
  if (spec.table == config::RegisterTable::coil) return RegisterWrite::coil_value(on);
  config::BitsWrite bits = config::encode_switch(spec, on);
  if (!spec.partial()) return RegisterWrite::single(bits.or_mask);
  return RegisterWrite::bits(bits.and_mask, bits.or_mask, mask_write);
}

RegisterWrite raw_write(const config::RegisterSpec&, std::uint16_t raw) {
  return RegisterWrite::single(raw);
}

std::vector<ReadBlock> plan_reads(const std::vector<config::RegisterSpec>& specs) {
  // Per table, the addresses in use, then runs that fit one request.
  std::map<RegisterKind, std::vector<std::pair<std::uint16_t, std::uint16_t>>> spans;
  for (const auto& spec : specs) {
    spans[kind_of(spec.table)].emplace_back(spec.address, spec.count());
  }
  std::vector<ReadBlock> blocks;
  for (auto& [kind, list] : spans) {
    std::sort(list.begin(), list.end());
    for (const auto& [address, count] : list) {
      unsigned end = address + count;  // one past
      if (!blocks.empty() && blocks.back().kind == kind &&
          end - blocks.back().address <= kMaxRead) {
        ReadBlock& block = blocks.back();
        block.count =
            static_cast<std::uint16_t>(std::max<unsigned>(block.count, end - block.address));
        continue;
      }
      blocks.push_back({kind, address, count});
    }
  }
  return blocks;
}

RegisterImage::RegisterImage(std::vector<ReadBlock> blocks)
    : blocks_(std::move(blocks)), values_(blocks_.size()) {}

void RegisterImage::store(std::size_t block, const std::vector<std::uint16_t>& values) {
  if (block < values_.size()) values_[block] = values;
}

void RegisterImage::clear() {
  for (auto& v : values_) v.clear();
}

bool RegisterImage::complete() const {
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    if (values_[i].size() != blocks_[i].count) return false;
  }
  return true;
}

std::optional<config::RegisterWords> RegisterImage::words(const config::RegisterSpec& spec) const {
  RegisterKind kind = kind_of(spec.table);
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    const ReadBlock& b = blocks_[i];
    if (b.kind != kind || spec.address < b.address ||
        spec.address + spec.count() > b.address + b.count || values_[i].size() != b.count) {
      continue;
    }
    config::RegisterWords out;
    out.count = spec.count();
    for (std::uint16_t w = 0; w < out.count; ++w) {
      out.words[w] = values_[i][spec.address - b.address + w];
    }
    return out;
  }
  return std::nullopt;
}

std::optional<double> RegisterImage::number(const config::RegisterSpec& spec) const {
  auto w = words(spec);
  if (!w) return std::nullopt;
  return config::decode(spec, std::span{w->words.data(), w->count});
}

std::optional<bool> RegisterImage::flag(const config::RegisterSpec& spec) const {
  auto w = words(spec);
  if (!w) return std::nullopt;
  if (one_bit(spec.table)) return (w->words[0] != 0) == (spec.on != 0);
  return config::decode_flag(spec, w->words[0]);
}

std::optional<std::uint16_t> RegisterImage::raw(const config::RegisterSpec& spec) const {
  auto w = words(spec);
  if (!w) return std::nullopt;
  return w->words[0];
}

}  // namespace sensoryd::devices
