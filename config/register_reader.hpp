// Reads a device's named registers, short form (`amplitude = 2`) or long form
// (`amplitude = { address = 12, type = "u32", scale = 0.1 }`), against the keys its kind knows,
// and checks what can be checked without the device: types, bits, tables, overlaps.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include <toml++/toml.h>

#include "config/register_keys.hpp"
#include "config/register_map.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

// Reads every key of `table` that `keys` knows (others are refused by regs.finish(), which the
// caller calls). `where` names the device in messages.
RegisterMap read_register_map(TableReader& regs, const toml::table& table,
                              std::span<const RegisterKey> keys);

// One long- or short-form entry outside a map (an input's contact, a setup write).
std::optional<RegisterSpec> read_register(TableReader& reader, const toml::node& node,
                                          const RegisterKey& key, const std::string& name);

// The long form's fields from `entry` (the caller reads any other keys and finishes it).
std::optional<RegisterSpec> read_register_fields(TableReader& entry, const RegisterKey& key);

// Two values sharing a register (or a coil), other than bits of it that do not overlap or a
// flag read from a register another key also reads: an error at the later one.
void check_overlaps(TableReader& regs, const RegisterMap& map, std::span<const RegisterKey> keys);

}  // namespace sensoryd::config
