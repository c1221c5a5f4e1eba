// Engineering values to register words and back, as a RegisterSpec says: types, word order,
// scale and offset, bits. Pure: the drivers, the loader's range checks and the simulator all
// use it, so what sensoryd writes and what the simulator records mean the same.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "config/register_map.hpp"

namespace sensoryd::config {

// The words of one value, high or low first as the spec says; `count` of them are used.
struct RegisterWords {
  std::array<std::uint16_t, 2> words{};
  std::uint16_t count = 1;
  bool operator==(const RegisterWords&) const = default;
};

// Which way a value between two raw counts goes: a safety limit must never be rounded past
// (an amplitude down, a period up).
enum class Rounding : std::uint8_t { nearest, down, up };

// The raw words for `value`, or nullopt when it does not fit the type (never clamped: a caller
// that wants a bound applies it in engineering units first).
std::optional<RegisterWords> encode(const RegisterSpec& spec, double value,
                                    Rounding rounding = Rounding::nearest);
// The engineering value of `words` (spec.count() of them).
double decode(const RegisterSpec& spec, std::span<const std::uint16_t> words);
// The smallest and largest engineering values the type can carry.
std::pair<double, double> engineering_range(const RegisterSpec& spec);

// A switch: the bits to clear and set in its register (and_mask, or_mask).
struct BitsWrite {
  std::uint16_t and_mask = 0xFFFF;
  std::uint16_t or_mask = 0;
  bool operator==(const BitsWrite&) const = default;
};
BitsWrite encode_switch(const RegisterSpec& spec, bool on);
// A flag read from a register's value (or a coil/discrete input's 0/1).
bool decode_flag(const RegisterSpec& spec, std::uint16_t word);

}  // namespace sensoryd::config
