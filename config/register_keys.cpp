#include "config/register_keys.hpp"

#include <array>
#include <string>

namespace sensoryd::config {

namespace {

constexpr auto H = RegisterTable::holding;
constexpr auto I = RegisterTable::input;
constexpr double kDmxStep = 100.0 / 255.0;  // a DMX channel level in per cent per count

constexpr std::array kSwingKeys{
    // written
    RegisterKey{"control", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"enable", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"run", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"quick_stop", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"fault_reset", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"mode", H, ValueType::u16, 1.0, "", KeyUse::code, true},
    RegisterKey{"amplitude", H, ValueType::u16, 0.1, "deg", KeyUse::number, true},
    RegisterKey{"period", H, ValueType::u16, 0.001, "s", KeyUse::number, true},
    RegisterKey{"comm_loss_timeout", H, ValueType::u16, 0.001, "s", KeyUse::number, true},
    RegisterKey{"comm_loss_action", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"heartbeat", H, ValueType::u16, 1.0, "", KeyUse::counter, true},
    RegisterKey{"speed", H, ValueType::u16, 0.001, "rev/s", KeyUse::number, true},
    RegisterKey{"direction", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    // read
    RegisterKey{"status", I, ValueType::u16, 1.0, "", KeyUse::word, false},
    RegisterKey{"ready", I, ValueType::u16, 1.0, "", KeyUse::flag, false},
    RegisterKey{"running", I, ValueType::u16, 1.0, "", KeyUse::flag, false},
    RegisterKey{"fault", I, ValueType::u16, 1.0, "", KeyUse::flag, false},
    RegisterKey{"comm_lost", I, ValueType::u16, 1.0, "", KeyUse::flag, false},
    RegisterKey{"angle", I, ValueType::s16, 0.1, "deg", KeyUse::number, false},
    RegisterKey{"measured_amplitude", I, ValueType::u16, 0.1, "deg", KeyUse::number, false},
    RegisterKey{"fault_code", I, ValueType::u16, 1.0, "", KeyUse::code, false},
    RegisterKey{"measured_speed", I, ValueType::u16, 0.001, "rev/s", KeyUse::number, false},
};

constexpr std::array kLightKeys{
    RegisterKey{"red", H, ValueType::u16, kDmxStep, "%", KeyUse::number, true},
    RegisterKey{"green", H, ValueType::u16, kDmxStep, "%", KeyUse::number, true},
    RegisterKey{"blue", H, ValueType::u16, kDmxStep, "%", KeyUse::number, true},
    RegisterKey{"dimmer", H, ValueType::u16, kDmxStep, "%", KeyUse::number, true},
};

constexpr std::array kSoundKeys{
    RegisterKey{"volume", H, ValueType::u16, 1.0, "%", KeyUse::number, true},
    RegisterKey{"mute", H, ValueType::u16, 1.0, "", KeyUse::toggle, true},
    RegisterKey{"source", H, ValueType::u16, 1.0, "", KeyUse::code, true},
};

constexpr RegisterKey kContactKey{
    "contact", RegisterTable::discrete, ValueType::u16, 1.0, "", KeyUse::flag, false};
constexpr RegisterKey kSetupKey{"setup", H, ValueType::u16, 1.0, "", KeyUse::number, true};

RegisterMap short_forms(std::span<const RegisterKey> keys,
                        std::initializer_list<std::pair<std::string_view, std::uint16_t>> at) {
  RegisterMap map;
  for (const auto& [name, address] : at) {
    if (const RegisterKey* key = find_key(keys, name)) {
      map.registers.push_back({std::string{name}, short_form(*key, address)});
    }
  }
  return map;
}

}  // namespace

std::span<const RegisterKey> swing_keys() {
  return kSwingKeys;
}
std::span<const RegisterKey> light_keys() {
  return kLightKeys;
}
std::span<const RegisterKey> sound_keys() {
  return kSoundKeys;
}
const RegisterKey& contact_key() {
  return kContactKey;
}
const RegisterKey& setup_key() {
  return kSetupKey;
}

RegisterSpec short_form(const RegisterKey& key, std::uint16_t address) {
  RegisterSpec spec;
  spec.address = address;
  spec.table = key.table;
  spec.type = key.type;
  spec.scale = key.scale;
  spec.unit = std::string{key.unit};
  // A whole register read as a flag: on when it is not 0.
  spec.flag_on_nonzero = key.use == KeyUse::flag;
  return spec;
}

const RegisterKey* find_key(std::span<const RegisterKey> keys, std::string_view name) {
  for (const auto& key : keys) {
    if (key.key == name) return &key;
  }
  return nullptr;
}

RegisterSpec status_bit(const RegisterSpec& word, int bit) {
  RegisterSpec flag = word;
  flag.mask = static_cast<std::uint16_t>(1U << bit);
  flag.on = flag.mask;
  flag.off = 0;
  flag.flag_on_nonzero = false;
  return flag;
}

RegisterMap default_swing_registers() {
  SwingRegisterMap r;
  RegisterMap map = short_forms(kSwingKeys, {{"control", r.control},
                                             {"mode", r.mode},
                                             {"amplitude", r.amplitude},
                                             {"period", r.period},
                                             {"comm_loss_timeout", r.comm_loss_timeout},
                                             {"comm_loss_action", r.comm_loss_action},
                                             {"heartbeat", r.heartbeat},
                                             {"speed", r.speed},
                                             {"direction", r.direction},
                                             {"angle", r.angle},
                                             {"measured_amplitude", r.measured_amplitude},
                                             {"fault_code", r.fault_code},
                                             {"measured_speed", r.measured_speed}});
  RegisterSpec word;
  word.table = RegisterTable::input;
  word.address = r.status;
  const char* names[] = {"ready", "running", "fault", "comm_lost"};
  for (int bit = 0; bit < 4; ++bit) map.registers.push_back({names[bit], status_bit(word, bit)});
  return map;
}

RegisterMap default_light_channels() {
  return short_forms(kLightKeys, {{"red", 0}, {"green", 1}, {"blue", 2}, {"dimmer", 3}});
}

RegisterMap default_sound_registers() {
  return short_forms(kSoundKeys, {{"volume", 0}, {"mute", 1}, {"source", 2}});
}

RegisterSpec default_contact() {
  RegisterSpec spec;
  spec.table = RegisterTable::discrete;
  return spec;
}

}  // namespace sensoryd::config
