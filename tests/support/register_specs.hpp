// Register specs for tests that build a drive's map in code: a holding-register value (32-bit
// values low word first, to exercise the word swap) and one bit of a holding register.
#pragma once

#include <cstdint>

#include "config/register_keys.hpp"

namespace sensoryd::test {

inline config::RegisterSpec holding_value(std::uint16_t address, config::ValueType type,
                                          double scale) {
  config::RegisterSpec spec;
  spec.address = address;
  spec.type = type;
  spec.scale = scale;
  spec.word_order = config::WordOrder::low_first;
  return spec;
}

inline config::RegisterSpec holding_bit(std::uint16_t address, int bit) {
  config::RegisterSpec spec;
  spec.address = address;
  return config::status_bit(spec, bit);
}

}  // namespace sensoryd::test
