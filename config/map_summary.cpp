#include "config/map_summary.hpp"

#include <cstdio>
#include <sstream>

#include "config/register_codec.hpp"
#include "config/register_keys.hpp"
#include "config/units.hpp"

namespace sensoryd::config {

namespace {

std::string hex(unsigned value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%04X", value);
  return text;
}

std::string describe(const RegisterSpec& spec, const RegisterKey* key) {
  std::ostringstream out;
  out << to_string(spec.table) << " " << spec.address << " (" << hex(spec.address) << ")";
  bool one_bit = spec.table == RegisterTable::coil || spec.table == RegisterTable::discrete;
  if (!one_bit) {
    out << " " << to_string(spec.type);
    if (spec.count() == 2) out << " " << to_string(spec.word_order);
  }
  KeyUse use = key != nullptr ? key->use : KeyUse::number;
  if (use == KeyUse::number) {
    out << ", " << spec.unit << (spec.unit.empty() ? "" : " ") << "= raw x "
        << format_number(spec.scale);
    if (spec.offset != 0.0) out << " + " << format_number(spec.offset);
  } else if (use == KeyUse::toggle || use == KeyUse::flag) {
    if (spec.partial()) out << ", bits " << hex(spec.mask);
    if (spec.flag_on_nonzero) {
      out << ", on when not 0";
    } else {
      out << ", on = " << hex(spec.on);
      if (use == KeyUse::toggle) out << ", off = " << hex(spec.off);
    }
  }
  if (spec.persistent) out << ", persistent (written only when it differs)";
  return out.str();
}

void lines(std::ostringstream& out, const RegisterMap& map, std::span<const RegisterKey> keys,
           const std::string& indent) {
  for (const auto& [name, spec] : map.registers) {
    char key[24];
    std::snprintf(key, sizeof key, "%-19s", name.c_str());
    out << indent << key << " " << describe(spec, find_key(keys, name)) << "\n";
  }
}

}  // namespace

std::string describe_map(const Device& device, const std::string& indent) {
  const ModbusBinding* binding = device.modbus();
  if (binding == nullptr) return {};
  std::ostringstream out;
  out << indent << device.id << " (" << device.type << ", unit " << binding->unit;
  if (!device.template_id.empty()) out << ", template " << device.template_id;
  out << ", polled every " << binding->poll_period.count() << " ms";
  if (binding->response_timeout) {
    out << ", answers awaited " << binding->response_timeout->count() << " ms";
  }
  out << (binding->mask_write ? ", bits by fc 22" : "") << "):\n";
  std::string inner = indent + "  ";
  if (const auto* drive = device.as<SwingDrive>()) {
    lines(out, drive->registers, swing_keys(), inner);
    for (const auto& setup : drive->setup) {
      out << inner << "setup " << setup.name << ": " << format_number(setup.value) << " to "
          << describe(setup.spec, &setup_key()) << "\n";
    }
    if (const RegisterSpec* timeout = find(drive->registers, SwingKey::comm_loss_timeout)) {
      double seconds = std::chrono::duration<double>(drive->comm_loss_timeout).count();
      if (auto words = encode(*timeout, seconds, Rounding::down)) {
        out << inner << "comm-loss timeout " << drive->comm_loss_timeout.count()
            << " ms is written as raw " << words->words[0]
            << (words->count == 2 ? " " + std::to_string(words->words[1]) : "") << " ("
            << format_number(decode(*timeout, {words->words.data(), words->count}) * 1000.0)
            << " ms)\n";
      }
    }
  } else if (const auto* light = device.as<ModbusLight>()) {
    lines(out, light->channels, light_keys(), inner);
  } else if (const auto* sound = device.as<ModbusSound>()) {
    lines(out, sound->registers, sound_keys(), inner);
  } else if (const auto* input = device.as<Input>()) {
    out << inner << "contact             " << describe(input->modbus()->contact, &contact_key())
        << (input->active_low ? ", active when open (active_low)" : "") << "\n";
  }
  return out.str();
}

}  // namespace sensoryd::config
