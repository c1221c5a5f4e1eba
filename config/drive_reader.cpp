#include "config/drive_reader.hpp"

#include <algorithm>
#include <string>

#include "config/register_codec.hpp"
#include "config/register_reader.hpp"
#include "config/units.hpp"

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

// Today's status word becomes its four named flags.
void expand_status_word(TableReader& regs, RegisterMap& map) {
  auto word = std::find_if(map.registers.begin(), map.registers.end(), [](const NamedRegister& r) {
    return r.key == name_of(SwingKey::status);
  });
  if (word == map.registers.end()) return;
  RegisterSpec spec = word->spec;
  map.registers.erase(word);
  int bit = -1;
  for (SwingKey key : status_word_flags()) {
    ++bit;
    std::string_view flag = name_of(key);
    if (map.has(flag)) {
      regs.error_at_key(flag, "'" + std::string{flag} + "' and 'status' of " + regs.where() +
                                  " both say where " + std::string{flag} +
                                  " is: status is the word with bits 0-3 ready, running, "
                                  "fault, comm lost; keep status or the named bits");
      continue;
    }
    map.registers.push_back({std::string{flag}, status_bit(spec, bit)});
  }
}

void refuse_keys(TableReader& regs, const toml::table& table, std::span<const SwingKey> keys,
                 const std::string& why) {
  for (SwingKey swing_key : keys) {
    std::string_view key = name_of(swing_key);
    if (table.contains(key)) {
      regs.error_at_key(key, "register '" + std::string{key} + "' of " + regs.where() + " " + why);
    }
  }
}

void require(TableReader& regs, const RegisterMap& map, std::string_view key,
             const std::string& why) {
  if (!map.has(key)) {
    regs.error_at(regs.source(),
                  "missing register '" + std::string{key} + "' in " + regs.where() + ": " + why);
  }
}

std::string range_text(const RegisterSpec& spec) {
  auto [low, high] = engineering_range(spec);
  return std::string{to_string(spec.type)} + " at scale " + format_number(spec.scale) +
         " carries " + format_number(low) + " to " + format_number(high) + " " + spec.unit;
}

// The room's limit `value` (and 0, the stop) must be writable: no rounding past it, no clamp.
void check_carries(TableReader& regs, const RegisterMap& map, SwingKey swing_key, double value,
                   Rounding rounding, const std::string& limit) {
  std::string_view key = name_of(swing_key);
  const RegisterSpec* spec = map.find(key);
  if (spec == nullptr) return;
  if (encode(*spec, value, rounding) && encode(*spec, 0.0, rounding)) return;
  regs.error_at_key(key, "register '" + std::string{key} + "' of " + regs.where() +
                             " cannot carry " + limit + " and 0: " + range_text(*spec) +
                             "; check type, scale and offset against the drive's manual");
}

// S6: the watchdog's timeout in the register's own unit, never longer than configured.
void check_watchdog(TableReader& regs, const RegisterMap& map, Millis timeout) {
  const RegisterSpec* spec = find(map, SwingKey::comm_loss_timeout);
  if (spec == nullptr) return;
  double seconds = std::chrono::duration<double>(timeout).count();
  auto words = encode(*spec, seconds, Rounding::down);
  double written = words ? decode(*spec, std::span{words->words.data(), words->count}) : 0.0;
  if (!words || written <= 0.0) {
    regs.error_at_key(name_of(SwingKey::comm_loss_timeout),
                      "the comm-loss timeout of " + format_duration(timeout) +
                          " cannot be written "
                          "to register 'comm_loss_timeout' of " +
                          regs.where() + " (" + range_text(*spec) +
                          "): it would be 0 or out of range, which switches most drives' "
                          "watchdog off; check its scale (e.g. 0.1 for a timeout in 0.1 s)");
    return;
  }
  if (written < seconds - 1e-9) {
    regs.warning_at_key(name_of(SwingKey::comm_loss_timeout),
                        "the comm-loss timeout of " + format_duration(timeout) + " is written as " +
                            format_number(written * 1000.0) + " ms: the register's resolution (" +
                            format_number(spec->scale) + " s) rounds it down, never up");
  }
}

void read_setup(TableReader& reader, SwingDrive& swing) {
  const toml::array* setup = reader.array("setup", Need::optional);
  if (setup == nullptr) return;
  int index = 0;
  for (const toml::node& node : *setup) {
    ++index;
    std::string where = "setup write " + std::to_string(index) + " of " + reader.where();
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader.error_at(node.source(), where +
                                         " must be a table such as { address = 0x0201, "
                                         "value = 2, name = \"command source: Modbus\" }");
      continue;
    }
    TableReader entry(*table, where, reader.diagnostics());
    auto value = entry.number("value", Need::required, -1e12, 1e12);
    auto name = entry.string("name", Need::optional);
    auto spec = read_register_fields(entry, setup_key());
    entry.finish();
    if (!value || !spec) continue;
    if (!encode(*spec, *value)) {
      entry.error_at_key(
          "value", where + ": " + format_number(*value) + " does not fit: " + range_text(*spec));
      continue;
    }
    swing.setup.push_back({name.value_or("setup[" + std::to_string(index) + "]"), *spec, *value});
  }
}

}  // namespace

void read_swing_drive(TableReader& reader, SwingDrive& swing, const Room& room) {
  // Stricter only: a longer comm-loss timeout lets a swing run on after sensoryd dies (S6).
  swing.comm_loss_timeout =
      reader.duration("comm_loss_timeout", Need::optional, 100ms, 500ms).value_or(500ms);
  swing.rotary = reader.boolean("rotary", Need::optional).value_or(false);
  swing.linear = reader.boolean("linear", Need::optional).value_or(true);
  if (!swing.linear && !swing.rotary) {
    reader.error_at_key("linear", reader.where() +
                                      " neither swings (linear = false) nor spins: set "
                                      "rotary = true for a rotary platform");
  }
  if (const toml::node* ratio = reader.node("gear_ratio")) {
    swing.gear_ratio = reader.number("gear_ratio", Need::optional, 1e-3, 1e6).value_or(1.0);
    if (!swing.rotary) {
      reader.error_at(ratio->source(), "gear_ratio of " + reader.where() +
                                           " converts a rotary drive's speed: remove it, or set "
                                           "rotary = true");
    }
  }
  read_setup(reader, swing);
  const toml::table* table = reader.table("registers", Need::required);
  if (table == nullptr) return;
  TableReader regs(*table, "the registers of " + reader.where(), reader.diagnostics());
  RegisterMap map = read_register_map(regs, *table, swing_keys());
  expand_status_word(regs, map);
  if (!swing.linear) {
    refuse_keys(regs, *table, linear_only_swing_keys(),
                "is only used by a drive that swings: remove it, or set linear = true");
  }
  if (!swing.rotary) {
    refuse_keys(regs, *table, rotary_only_swing_keys(),
                "is only used by a rotary drive: remove it, or set rotary = true");
  }
  auto stop_keys = swing_stop_keys();
  if (std::none_of(stop_keys.begin(), stop_keys.end(),
                   [&](SwingKey key) { return find(map, key) != nullptr; })) {
    regs.error_at(regs.source(), regs.where() +
                                     " give sensoryd no way to stop the drive: map 'control', "
                                     "or the 'enable' and 'run' bits of its control word");
  }
  for (const auto& required : required_swing_keys(swing.linear, swing.rotary)) {
    require(regs, map, name_of(required.key), std::string{required.why});
  }
  if (find(map, SwingKey::heartbeat) == nullptr &&
      swing.modbus.poll_period > swing.comm_loss_timeout / 4) {
    regs.error_at(regs.source(),
                  regs.where() +
                      " have no heartbeat, so only sensoryd's polls restart the drive's "
                      "watchdog, and the poll period " +
                      format_duration(swing.modbus.poll_period) +
                      " is longer than a quarter of "
                      "the comm-loss timeout: map 'heartbeat', or shorten poll_period");
  }
  check_overlaps(regs, map, swing_keys());
  const Limits& limits = room.limits;
  check_carries(regs, map, SwingKey::amplitude, limits.swing.max_amplitude_deg, Rounding::down,
                "the room's limits.swing.max_amplitude_deg = " +
                    format_number(limits.swing.max_amplitude_deg) + " deg");
  check_carries(
      regs, map, SwingKey::period, limits.swing.min_period_s, Rounding::up,
      "the room's limits.swing.min_period_s = " + format_number(limits.swing.min_period_s) + " s");
  if (swing.rotary) {
    double top = limits.rotary.max_rate_rev_s * swing.gear_ratio;
    for (auto& named : map.registers) {
      // The speed registers carry the seat's rev/s times the gear ratio (a VFD's motor Hz).
      bool speed =
          named.key == name_of(SwingKey::speed) || named.key == name_of(SwingKey::measured_speed);
      if (speed && swing.gear_ratio != 1.0) {
        named.spec.unit = "rev/s x " + format_number(swing.gear_ratio);
      }
    }
    check_carries(
        regs, map, SwingKey::speed, top, Rounding::down,
        "the room's limits.rotary.max_rate_rev_s = " + format_number(limits.rotary.max_rate_rev_s) +
            " rev/s x gear_ratio " + format_number(swing.gear_ratio));
  }
  check_watchdog(regs, map, swing.comm_loss_timeout);
  regs.finish();
  swing.registers = std::move(map);
}

}  // namespace sensoryd::config
