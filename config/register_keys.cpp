#include "config/register_keys.hpp"

#include <array>
#include <string>

namespace sensoryd::config {

namespace {

constexpr auto H = RegisterTable::holding;
constexpr auto I = RegisterTable::input;
constexpr double kDmxStep = 100.0 / 255.0;  // a DMX channel level in per cent per count

constexpr std::size_t index_of(SwingKey key) {
  return static_cast<std::size_t>(key);
}

// Each key beside its enum, so the table cannot fall out of the enum's order.
constexpr std::array<RegisterKey, kSwingKeyCount> kSwingKeys = [] {
  std::array<RegisterKey, kSwingKeyCount> keys{};
  auto at = [&keys](SwingKey key, RegisterKey entry) { keys[index_of(key)] = entry; };
  using K = SwingKey;
  // written
  at(K::control, {"control", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  at(K::enable, {"enable", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  at(K::run, {"run", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  at(K::quick_stop, {"quick_stop", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  at(K::fault_reset, {"fault_reset", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  at(K::mode, {"mode", H, ValueType::u16, 1.0, "", KeyUse::code, true});
  at(K::amplitude, {"amplitude", H, ValueType::u16, 0.1, "deg", KeyUse::number, true});
  at(K::period, {"period", H, ValueType::u16, 0.001, "s", KeyUse::number, true});
  at(K::comm_loss_timeout,
     {"comm_loss_timeout", H, ValueType::u16, 0.001, "s", KeyUse::number, true});
  at(K::comm_loss_action, {"comm_loss_action", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  at(K::heartbeat, {"heartbeat", H, ValueType::u16, 1.0, "", KeyUse::counter, true});
  at(K::speed, {"speed", H, ValueType::u16, 0.001, "rev/s", KeyUse::number, true});
  at(K::direction, {"direction", H, ValueType::u16, 1.0, "", KeyUse::toggle, true});
  // read
  at(K::status, {"status", I, ValueType::u16, 1.0, "", KeyUse::word, false});
  at(K::ready, {"ready", I, ValueType::u16, 1.0, "", KeyUse::flag, false});
  at(K::running, {"running", I, ValueType::u16, 1.0, "", KeyUse::flag, false});
  at(K::fault, {"fault", I, ValueType::u16, 1.0, "", KeyUse::flag, false});
  at(K::comm_lost, {"comm_lost", I, ValueType::u16, 1.0, "", KeyUse::flag, false});
  at(K::angle, {"angle", I, ValueType::s16, 0.1, "deg", KeyUse::number, false});
  at(K::measured_amplitude,
     {"measured_amplitude", I, ValueType::u16, 0.1, "deg", KeyUse::number, false});
  at(K::fault_code, {"fault_code", I, ValueType::u16, 1.0, "", KeyUse::code, false});
  at(K::measured_speed,
     {"measured_speed", I, ValueType::u16, 0.001, "rev/s", KeyUse::number, false});
  return keys;
}();

constexpr bool every_swing_key_named() {
  for (const auto& key : kSwingKeys) {
    if (key.key.empty()) return false;
  }
  return true;
}
static_assert(every_swing_key_named(), "every SwingKey needs its entry in kSwingKeys");

constexpr SwingKey kStopKeys[] = {SwingKey::control, SwingKey::enable, SwingKey::run};
constexpr SwingKey kLinearOnly[] = {SwingKey::mode, SwingKey::amplitude, SwingKey::period,
                                    SwingKey::angle, SwingKey::measured_amplitude};
constexpr SwingKey kRotaryOnly[] = {SwingKey::speed, SwingKey::direction, SwingKey::measured_speed};
constexpr SwingKey kStatusFlags[] = {SwingKey::ready, SwingKey::running, SwingKey::fault,
                                     SwingKey::comm_lost};

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
std::string_view name_of(SwingKey key) {
  return kSwingKeys[index_of(key)].key;
}

std::optional<SwingKey> swing_key_named(std::string_view name) {
  for (std::size_t i = 0; i < kSwingKeys.size(); ++i) {
    if (kSwingKeys[i].key == name) return static_cast<SwingKey>(i);
  }
  return std::nullopt;
}

const RegisterSpec* find(const RegisterMap& map, SwingKey key) {
  return map.find(name_of(key));
}

std::vector<RequiredSwingKey> required_swing_keys(bool linear, bool rotary) {
  constexpr std::string_view kWatchdog =
      "the drive's own comm-loss watchdog stops it when sensoryd falls silent (S6): map it";
  std::vector<RequiredSwingKey> keys{
      {SwingKey::comm_loss_timeout, kWatchdog},
      {SwingKey::comm_loss_action, kWatchdog},
      {SwingKey::fault, "a drive fault must be seen: map 'status' or the 'fault' bit"},
      {SwingKey::running,
       "sensoryd must see whether the drive runs: map 'status' or the 'running' bit"},
  };
  if (linear) {
    for (SwingKey key :
         {SwingKey::amplitude, SwingKey::period, SwingKey::angle, SwingKey::measured_amplitude}) {
      keys.push_back({key, "a drive that swings needs it (or set linear = false)"});
    }
  }
  if (rotary) keys.push_back({SwingKey::speed, "a rotary drive needs its speed setpoint"});
  if (rotary && linear) {
    keys.push_back(
        {SwingKey::mode, "a drive that both swings and spins is told which by its mode"});
  }
  return keys;
}

std::span<const SwingKey> swing_stop_keys() {
  return kStopKeys;
}
std::span<const SwingKey> linear_only_swing_keys() {
  return kLinearOnly;
}
std::span<const SwingKey> rotary_only_swing_keys() {
  return kRotaryOnly;
}
std::span<const SwingKey> status_word_flags() {
  return kStatusFlags;
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
  using K = SwingKey;
  RegisterMap map;
  for (auto [key, address] : {std::pair{K::control, r.control},
                              {K::mode, r.mode},
                              {K::amplitude, r.amplitude},
                              {K::period, r.period},
                              {K::comm_loss_timeout, r.comm_loss_timeout},
                              {K::comm_loss_action, r.comm_loss_action},
                              {K::heartbeat, r.heartbeat},
                              {K::speed, r.speed},
                              {K::direction, r.direction},
                              {K::angle, r.angle},
                              {K::measured_amplitude, r.measured_amplitude},
                              {K::fault_code, r.fault_code},
                              {K::measured_speed, r.measured_speed}}) {
    map.registers.push_back(
        {std::string{name_of(key)}, short_form(kSwingKeys[index_of(key)], address)});
  }
  RegisterSpec word;
  word.table = RegisterTable::input;
  word.address = r.status;
  int bit = 0;
  for (SwingKey flag : kStatusFlags) {
    map.registers.push_back({std::string{name_of(flag)}, status_bit(word, bit++)});
  }
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
