#include "config/register_reader.hpp"

#include <algorithm>
#include <string>

namespace sensoryd::config {

namespace {

bool one_bit(RegisterTable table) {
  return table == RegisterTable::coil || table == RegisterTable::discrete;
}

bool two_state(KeyUse use) {
  return use == KeyUse::toggle || use == KeyUse::flag;
}

std::optional<RegisterTable> table_named(const std::optional<std::string>& name) {
  if (name == "holding") return RegisterTable::holding;
  if (name == "input") return RegisterTable::input;
  if (name == "coil") return RegisterTable::coil;
  if (name == "discrete") return RegisterTable::discrete;
  return std::nullopt;
}

ValueType type_named(const std::string& name) {
  if (name == "s16") return ValueType::s16;
  if (name == "u32") return ValueType::u32;
  if (name == "s32") return ValueType::s32;
  if (name == "f32") return ValueType::f32;
  return ValueType::u16;
}

// scale and offset, of measured values only. False if the entry is wrong.
bool read_scale_offset(TableReader& entry, const RegisterKey& key, RegisterSpec& spec) {
  const toml::node* scale_node = entry.node("scale");
  const toml::node* offset_node = entry.node("offset");
  if (scale_node == nullptr && offset_node == nullptr) return true;
  if (key.use != KeyUse::number) {
    entry.error_at_key(scale_node ? "scale" : "offset",
                       std::string{key.key} + " in " + entry.where() +
                           " is not a measured value: remove scale and offset");
    return false;
  }
  auto scale = entry.number("scale", Need::optional, 1e-9, 1e9);
  auto offset = entry.number("offset", Need::optional, -1e9, 1e9);
  spec.scale = scale.value_or(1.0);
  spec.offset = offset.value_or(0.0);
  return (scale || !scale_node) && (offset || !offset_node);
}

// bit or mask, of switches and status flags within one 16-bit register; a whole value's type
// otherwise. False if the entry is wrong.
bool read_bit_or_mask(TableReader& entry, const RegisterKey& key, RegisterSpec& spec) {
  const toml::node* bit_node = entry.node("bit");
  const toml::node* mask_node = entry.node("mask");
  if (bit_node == nullptr && mask_node == nullptr) {
    if (spec.type != ValueType::u16 && spec.type != ValueType::s16 && key.use != KeyUse::number) {
      entry.error_at_key("type", std::string{key.key} + " in " + entry.where() +
                                     " is one register: use type = \"u16\"");
      return false;
    }
    return true;
  }
  const char* given = bit_node ? "bit" : "mask";
  if (!two_state(key.use)) {
    entry.error_at_key(given, std::string{key.key} + " in " + entry.where() +
                                  " is a whole value: bit and mask are for switches and status "
                                  "flags");
    return false;
  }
  if (bit_node != nullptr && mask_node != nullptr) {
    entry.error_at_key("mask", entry.where() + " has both bit and mask: keep one");
    return false;
  }
  if (spec.count() != 1) {
    entry.error_at_key(given, "a bit of a 32-bit value in " + entry.where() +
                                  ": bits are of one 16-bit register, so use type = \"u16\" and "
                                  "the address of the register that holds the bit");
    return false;
  }
  if (one_bit(spec.table)) {
    entry.error_at_key(given, "a " + std::string{to_string(spec.table)} + " in " + entry.where() +
                                  " is one bit already: remove bit/mask");
    return false;
  }
  if (bit_node != nullptr) {
    auto bit = entry.integer("bit", Need::optional, 0, 15);
    spec.mask = static_cast<std::uint16_t>(1U << bit.value_or(0));
    spec.on = spec.mask;
    spec.off = 0;
    spec.flag_on_nonzero = false;
    return bit.has_value();
  }
  auto mask = entry.integer("mask", Need::optional, 1, 0xFFFF);
  spec.mask = static_cast<std::uint16_t>(mask.value_or(0xFFFF));
  spec.on = spec.mask;
  return mask.has_value();
}

// on and off: the raw values of a switch's two states (a flag's on only), within its mask.
// False if the entry is wrong.
bool read_on_off(TableReader& entry, const RegisterKey& key, RegisterSpec& spec) {
  bool ok = true;
  bool single = entry.node("bit") != nullptr || one_bit(spec.table);
  for (std::string_view side : {"on", "off"}) {
    const toml::node* node = entry.node(side);
    if (node == nullptr) continue;
    if (!two_state(key.use) || (side == "off" && key.use == KeyUse::flag)) {
      entry.error_at_key(side, "'" + std::string{side} + "' in " + entry.where() +
                                   (key.use == KeyUse::flag
                                        ? " is a status flag: say only the value that means on"
                                        : " is for switches and status flags only: remove it"));
      ok = false;
      continue;
    }
    auto value = entry.integer(side, Need::optional, 0, single ? 1 : 0xFFFF);
    if (!value) {
      ok = false;
      continue;
    }
    auto raw = static_cast<std::uint16_t>(*value);
    if (entry.node("bit") != nullptr) raw = *value != 0 ? spec.mask : 0;
    if ((raw & ~spec.mask) != 0) {
      entry.error_at_key(side, "'" + std::string{side} + "' in " + entry.where() +
                                   " has bits outside its mask: give the raw value of the masked "
                                   "bits, as they sit in the register");
      ok = false;
      continue;
    }
    (side == "on" ? spec.on : spec.off) = raw;
    if (side == "on") spec.flag_on_nonzero = false;
  }
  return ok;
}

}  // namespace

std::optional<RegisterSpec> read_register_fields(TableReader& entry, const RegisterKey& key) {
  bool ok = true;
  auto address = entry.integer("address", Need::required, 0, 65535);
  ok = ok && address.has_value();
  RegisterSpec spec = short_form(key, static_cast<std::uint16_t>(address.value_or(0)));
  spec.type = ValueType::u16;  // the long form says its type, u16 unless told
  spec.scale = 1.0;
  if (auto table =
          entry.choice("table", Need::optional, {"holding", "input", "coil", "discrete"})) {
    spec.table = *table_named(table);
  }
  if (auto type = entry.choice("type", Need::optional, {"u16", "s16", "u32", "s32", "f32"})) {
    spec.type = type_named(*type);
  }
  if (auto order = entry.choice("word_order", Need::optional, {"high_first", "low_first"})) {
    spec.word_order = *order == "low_first" ? WordOrder::low_first : WordOrder::high_first;
    if (spec.count() == 1) {
      entry.error_at_key("word_order", "word_order in " + entry.where() +
                                           " applies to 32-bit values only: remove it, or set "
                                           "type = \"u32\", \"s32\" or \"f32\"");
      ok = false;
    }
  }
  ok = read_scale_offset(entry, key, spec) && ok;
  ok = read_bit_or_mask(entry, key, spec) && ok;
  ok = read_on_off(entry, key, spec) && ok;
  if (auto persistent = entry.boolean("persistent", Need::optional)) {
    spec.persistent = *persistent;
    if (*persistent && !key.written) {
      entry.error_at_key("persistent", std::string{key.key} + " in " + entry.where() +
                                           " is only read: persistent is for written values");
      ok = false;
    }
  }
  if (address && *address + spec.count() - 1 > 65535) {
    entry.error_at_key("address", entry.where() + " runs past address 65535");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return spec;
}

namespace {

// What the key's use allows of the spec's table.
bool check_table(TableReader& reader, const toml::node& node, const RegisterKey& key,
                 const RegisterSpec& spec, const std::string& name) {
  if (key.written &&
      (spec.table == RegisterTable::input || spec.table == RegisterTable::discrete)) {
    reader.error_at(node.source(), name + " is written by sensoryd, but " + to_string(spec.table) +
                                       " registers are read-only: use table = \"holding\"" +
                                       (key.use == KeyUse::toggle ? " or \"coil\"" : ""));
    return false;
  }
  if (one_bit(spec.table) && !two_state(key.use)) {
    reader.error_at(node.source(), name + " is a " +
                                       (key.use == KeyUse::number ? "number" : "register value") +
                                       ", but a " + to_string(spec.table) +
                                       " holds one bit: use table = \"holding\"" +
                                       (key.written ? "" : " or \"input\""));
    return false;
  }
  return true;
}

}  // namespace

std::optional<RegisterSpec> read_register(TableReader& reader, const toml::node& node,
                                          const RegisterKey& key, const std::string& name) {
  std::optional<RegisterSpec> spec;
  if (const auto* integer = node.as_integer()) {
    long long address = integer->get();
    if (address < 0 || address > 65535) {
      reader.error_at(node.source(), name + " is " + std::to_string(address) +
                                         ": use an address from 0 to 65535 (0-based, as sent "
                                         "on the wire: 40001 in a manual is often address 0)");
      return std::nullopt;
    }
    spec = short_form(key, static_cast<std::uint16_t>(address));
  } else if (const auto* table = node.as_table()) {
    TableReader entry(*table, name, reader.diagnostics());
    spec = read_register_fields(entry, key);
    entry.finish();
  } else {
    reader.error_at(node.source(), name +
                                       " must be an address (e.g. 2) or a table such as "
                                       "{ address = 12, type = \"u32\", scale = 0.1 }");
    return std::nullopt;
  }
  if (spec && !check_table(reader, node, key, *spec, name)) return std::nullopt;
  return spec;
}

RegisterMap read_register_map(TableReader& regs, const toml::table& table,
                              std::span<const RegisterKey> keys) {
  RegisterMap map;
  for (const auto& key : keys) {
    const toml::node* node = table.get(key.key);
    if (node == nullptr) continue;
    regs.ignore(key.key);
    std::string name = "register '" + std::string{key.key} + "' of " + regs.where();
    if (auto spec = read_register(regs, *node, key, name)) {
      map.registers.push_back({std::string{key.key}, *spec});
    }
  }
  return map;
}

void check_overlaps(TableReader& regs, const RegisterMap& map, std::span<const RegisterKey> keys) {
  auto same_space = [](RegisterTable a, RegisterTable b) {
    // Holding registers are both read and written; the other tables are spaces of their own.
    return a == b;
  };
  for (std::size_t j = 1; j < map.registers.size(); ++j) {
    const auto& [key_b, b] = map.registers[j];
    for (std::size_t i = 0; i < j; ++i) {
      const auto& [key_a, a] = map.registers[i];
      if (!same_space(a.table, b.table)) continue;
      bool overlap = a.address < b.address + b.count() && b.address < a.address + a.count();
      if (!overlap) continue;
      const RegisterKey* ka = find_key(keys, key_a);
      const RegisterKey* kb = find_key(keys, key_b);
      bool bits_apart = a.count() == 1 && b.count() == 1 && (a.mask & b.mask) == 0;
      bool read_only = ka != nullptr && kb != nullptr && !ka->written && !kb->written &&
                       (ka->use == KeyUse::flag || kb->use == KeyUse::flag);
      if (bits_apart || read_only) continue;
      const toml::node* node = regs.node(key_b);
      std::string where =
          std::string{to_string(b.table)} + " " + std::to_string(std::max(a.address, b.address));
      regs.error_at(node ? node->source() : toml::source_region{},
                    "registers '" + key_a + "' and '" + key_b + "' of " + regs.where() +
                        " overlap at " + where +
                        ": give each its own address, or bits of one register that do not "
                        "overlap (bit = N)");
    }
  }
}

}  // namespace sensoryd::config
