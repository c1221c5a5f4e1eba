#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

RegisterWrite RegisterWrite::then(const RegisterWrite& later) const {
  if (later.form == Form::values || coil != later.coil) return later;
  if (form == Form::values) {
    if (count != 1) return later;  // bits of a 32-bit value are refused by the configuration
    return single(later.apply(words[0]));
  }
  // Bits then bits: clear what either clears, set what the later sets and the earlier set and
  // the later kept.
  return bits(static_cast<std::uint16_t>(and_mask & later.and_mask),
              static_cast<std::uint16_t>((or_mask & later.and_mask) | later.or_mask),
              later.mask_write);
}

bool RegisterWrite::keeps(const RegisterWrite& held) const {
  if (coil != held.coil) return true;
  if (count != 1 || held.count != 1 || coil) return *this == held;
  std::uint16_t held_bits = held.touched();
  std::uint16_t held_value = held.form == Form::values ? held.words[0] : held.or_mask;
  std::uint16_t value = form == Form::values ? words[0] : or_mask;
  return ((value ^ held_value) & touched() & held_bits) == 0;
}

}  // namespace sensoryd::devices
