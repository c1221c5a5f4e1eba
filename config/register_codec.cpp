#include "config/register_codec.hpp"

#include <bit>
#include <cmath>
#include <limits>

namespace sensoryd::config {

const char* to_string(RegisterTable table) {
  switch (table) {
    case RegisterTable::holding:
      return "holding";
    case RegisterTable::input:
      return "input";
    case RegisterTable::coil:
      return "coil";
    case RegisterTable::discrete:
      return "discrete";
  }
  return "?";
}

const char* to_string(ValueType type) {
  switch (type) {
    case ValueType::u16:
      return "u16";
    case ValueType::s16:
      return "s16";
    case ValueType::u32:
      return "u32";
    case ValueType::s32:
      return "s32";
    case ValueType::f32:
      return "f32";
  }
  return "?";
}

const char* to_string(WordOrder order) {
  return order == WordOrder::high_first ? "high_first" : "low_first";
}

std::uint16_t RegisterSpec::count() const {
  bool wide = type == ValueType::u32 || type == ValueType::s32 || type == ValueType::f32;
  return wide ? 2 : 1;
}

const RegisterSpec* RegisterMap::find(std::string_view key) const {
  for (const auto& named : registers) {
    if (named.key == key) return &named.spec;
  }
  return nullptr;
}

namespace {

std::pair<double, double> raw_range(ValueType type) {
  switch (type) {
    case ValueType::u16:
      return {0.0, 65535.0};
    case ValueType::s16:
      return {-32768.0, 32767.0};
    case ValueType::u32:
      return {0.0, 4294967295.0};
    case ValueType::s32:
      return {-2147483648.0, 2147483647.0};
    case ValueType::f32:
      return {-static_cast<double>(std::numeric_limits<float>::max()),
              static_cast<double>(std::numeric_limits<float>::max())};
  }
  return {0.0, 0.0};
}

// Within a part per billion of a whole count is that count: 0.3 / 0.1 is 2.9999999999999996
// in binary, and must not become 2 when rounding down.
double round_raw(double raw, Rounding rounding) {
  double nearest = std::round(raw);
  if (std::abs(raw - nearest) <= 1e-9 * std::max(1.0, std::abs(raw))) return nearest;
  switch (rounding) {
    case Rounding::nearest:
      return nearest;
    case Rounding::down:
      return std::floor(raw);
    case Rounding::up:
      return std::ceil(raw);
  }
  return nearest;
}

RegisterWords split(const RegisterSpec& spec, std::uint32_t bits) {
  auto high = static_cast<std::uint16_t>(bits >> 16);
  auto low = static_cast<std::uint16_t>(bits & 0xFFFFU);
  if (spec.word_order == WordOrder::high_first) return {{high, low}, 2};
  return {{low, high}, 2};
}

}  // namespace

std::optional<RegisterWords> encode(const RegisterSpec& spec, double value, Rounding rounding) {
  if (!std::isfinite(value) || spec.scale <= 0.0) return std::nullopt;
  double raw = (value - spec.offset) / spec.scale;
  // A larger engineering value is a larger raw value (the scale is positive), so the direction
  // of rounding carries over.
  auto [low, high] = raw_range(spec.type);
  if (spec.type == ValueType::f32) {
    if (raw < low || raw > high) return std::nullopt;
    return split(spec, std::bit_cast<std::uint32_t>(static_cast<float>(raw)));
  }
  raw = round_raw(raw, rounding);
  if (raw < low || raw > high) return std::nullopt;
  switch (spec.type) {
    case ValueType::u16:
      return RegisterWords{{static_cast<std::uint16_t>(raw), 0}, 1};
    case ValueType::s16:
      return RegisterWords{
          {static_cast<std::uint16_t>(static_cast<std::int16_t>(static_cast<int>(raw))), 0}, 1};
    case ValueType::u32:
      return split(spec, static_cast<std::uint32_t>(raw));
    case ValueType::s32:
      return split(spec, static_cast<std::uint32_t>(static_cast<std::int32_t>(raw)));
    case ValueType::f32:
      break;
  }
  return std::nullopt;
}

double decode(const RegisterSpec& spec, std::span<const std::uint16_t> words) {
  if (words.size() < spec.count()) return 0.0;
  double raw = 0.0;
  if (spec.count() == 1) {
    raw = spec.type == ValueType::s16 ? static_cast<double>(static_cast<std::int16_t>(words[0]))
                                      : static_cast<double>(words[0]);
  } else {
    bool high_first = spec.word_order == WordOrder::high_first;
    std::uint32_t high = high_first ? words[0] : words[1];
    std::uint32_t low = high_first ? words[1] : words[0];
    std::uint32_t bits = (high << 16) | low;
    if (spec.type == ValueType::u32) raw = static_cast<double>(bits);
    if (spec.type == ValueType::s32) raw = static_cast<double>(static_cast<std::int32_t>(bits));
    if (spec.type == ValueType::f32) raw = static_cast<double>(std::bit_cast<float>(bits));
  }
  return raw * spec.scale + spec.offset;
}

std::pair<double, double> engineering_range(const RegisterSpec& spec) {
  auto [low, high] = raw_range(spec.type);
  return {low * spec.scale + spec.offset, high * spec.scale + spec.offset};
}

BitsWrite encode_switch(const RegisterSpec& spec, bool on) {
  std::uint16_t value = static_cast<std::uint16_t>((on ? spec.on : spec.off) & spec.mask);
  return {static_cast<std::uint16_t>(~spec.mask), value};
}

bool decode_flag(const RegisterSpec& spec, std::uint16_t word) {
  std::uint16_t under = static_cast<std::uint16_t>(word & spec.mask);
  if (spec.flag_on_nonzero) return under != 0;
  return under == (spec.on & spec.mask);
}

}  // namespace sensoryd::config
