#include "simulators/sim_units.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <map>

#include "config/register_codec.hpp"
#include "config/register_keys.hpp"

namespace sensoryd::sim {

namespace {

using config::RegisterSpec;
using config::RegisterTable;
using config::SwingKey;

bool parse_u16(const std::string& text, std::uint16_t& out) {
  try {
    std::size_t used = 0;
    unsigned long value = std::stoul(text, &used, 0);
    if (used != text.size() || value > 65535) return false;
    out = static_cast<std::uint16_t>(value);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// A unit's four tables, sized once from its map.
struct Tables {
  std::vector<std::uint16_t> holding;
  std::vector<std::uint16_t> input;
  std::vector<std::uint16_t> coils;
  std::vector<std::uint16_t> discrete;

  std::vector<std::uint16_t>& of(RegisterTable table) {
    switch (table) {
      case RegisterTable::holding:
        return holding;
      case RegisterTable::input:
        return input;
      case RegisterTable::coil:
        return coils;
      case RegisterTable::discrete:
        return discrete;
    }
    return holding;
  }
  const std::vector<std::uint16_t>& of(RegisterTable table) const {
    return const_cast<Tables*>(this)->of(table);
  }
  void fit(const RegisterSpec& spec) {
    auto& table = of(spec.table);
    table.resize(std::max<std::size_t>(table.size(), spec.address + spec.count()));
  }

  config::RegisterWords words(const RegisterSpec& spec) const {
    config::RegisterWords w;
    w.count = spec.count();
    const auto& table = of(spec.table);
    for (std::uint16_t i = 0; i < w.count; ++i) w.words[i] = table.at(spec.address + i);
    return w;
  }
  bool toggle(const RegisterSpec& spec) const {
    std::uint16_t word = of(spec.table).at(spec.address);
    if (spec.table == RegisterTable::coil || spec.table == RegisterTable::discrete) {
      return (word != 0) == (spec.on != 0);
    }
    return config::decode_flag(spec, word);
  }
  double number(const RegisterSpec& spec) const {
    auto w = words(spec);
    return config::decode(spec, std::span{w.words.data(), w.count});
  }
  // A reading put where the map says: clamped to what the type carries.
  void put_number(const RegisterSpec& spec, double value) {
    auto [low, high] = config::engineering_range(spec);
    auto w = config::encode(spec, std::clamp(value, low, high));
    if (!w) return;
    auto& table = of(spec.table);
    for (std::uint16_t i = 0; i < w->count; ++i) table.at(spec.address + i) = w->words[i];
  }
  void put_flag(const RegisterSpec& spec, bool on) {
    auto& table = of(spec.table);
    if (spec.table == RegisterTable::coil || spec.table == RegisterTable::discrete) {
      table.at(spec.address) = on == (spec.on != 0) ? 1 : 0;
      return;
    }
    std::uint16_t on_bits = spec.flag_on_nonzero ? spec.mask : spec.on;
    std::uint16_t off_bits = spec.on == 0 && !spec.flag_on_nonzero ? spec.mask : 0;
    std::uint16_t& word = table.at(spec.address);
    word =
        static_cast<std::uint16_t>((word & ~spec.mask) | ((on ? on_bits : off_bits) & spec.mask));
  }
};

bool overlaps(const RegisterSpec& spec, bool coil, std::uint16_t address, std::size_t count) {
  bool table = coil ? spec.table == RegisterTable::coil : spec.table == RegisterTable::holding;
  return table && spec.address < address + count && address < spec.address + spec.count();
}

// What a written key means, for the recording: engineering units, 1/0 for a switch.
double meaning(const config::RegisterKey* key, const RegisterSpec& spec, const Tables& tables) {
  if (key == nullptr || key->use == config::KeyUse::number) return tables.number(spec);
  if (key->use == config::KeyUse::toggle || key->use == config::KeyUse::flag) {
    return tables.toggle(spec) ? 1.0 : 0.0;
  }
  return tables.of(spec.table).at(spec.address);
}

std::uint16_t to_u16(double value) {
  return static_cast<std::uint16_t>(std::clamp(std::lround(value), 0L, 65535L));
}

// A swing drive or rotary platform speaking its configured map: each write is decoded into
// the physics model's own terms (degrees, seconds, rev/s), and its readings are coded back.
class SwingUnit final : public SimUnit {
 public:
  SwingUnit(int unit, config::SwingDrive drive, const SwingPhysics& physics, Recorder& recorder,
            Clock::time_point now)
      : SimUnit(unit),
        drive_(std::move(drive)),
        recorder_(recorder),
        model_(physics, now, [&recorder, unit](const std::string& event, double a) {
          char fields[48];
          std::snprintf(fields, sizeof fields, "\"amplitude_deg\":%.2f", a);
          recorder.event(unit, event, fields);
        }) {
    for (const auto& named : drive_.registers.registers) tables_.fit(named.spec);
    for (const auto& setup : drive_.setup) tables_.fit(setup.spec);
    // A drive without a mode register does the one motion it can.
    if (spec(SwingKey::mode) == nullptr) {
      model_.write(reg::mode, drive_.linear ? 1 : 2, now);
    }
  }

  const char* kind() const override { return "swing"; }
  void step(Clock::time_point now) override { model_.step(now); }
  void on_request(Clock::time_point now) override {
    // Without a heartbeat register, the drive's watchdog counts any request
    // (docs/configuration.md).
    if (spec(SwingKey::heartbeat) == nullptr) model_.feed(now);
  }

  void write(bool coil, std::uint16_t address, std::span<const std::uint16_t> values,
             Clock::time_point now) override {
    auto& table = coil ? tables_.coils : tables_.holding;
    for (std::size_t i = 0; i < values.size() && address + i < table.size(); ++i) {
      table[address + i] = values[i];
    }
    for (const auto& [key, spec] : drive_.registers.registers) {
      if (!overlaps(spec, coil, address, values.size())) continue;
      const config::RegisterKey* known = config::find_key(config::swing_keys(), key);
      auto swing_key = config::swing_key_named(key);
      if (known == nullptr || !known->written || !swing_key) continue;
      recorder_.write(unit(), spec.address, key, tables_.of(spec.table).at(spec.address),
                      meaning(known, spec, tables_));
      // Fed as of now, after the record's timestamp: the recorded silence before a comm-loss
      // trip is never shorter than the drive's own (the request's time is a little earlier).
      apply(*swing_key, spec, std::max(now, Clock::now()));
    }
    for (const auto& setup : drive_.setup) {
      if (!overlaps(setup.spec, coil, address, values.size())) continue;
      recorder_.write(unit(), setup.spec.address, "setup:" + setup.name,
                      tables_.of(setup.spec.table).at(setup.spec.address),
                      tables_.number(setup.spec));
    }
  }

  std::vector<std::uint16_t> holding() const override { return readings().holding; }
  std::vector<std::uint16_t> inputs() const override { return readings().input; }
  std::vector<std::uint8_t> discrete() const override { return bits(readings().discrete); }
  std::vector<std::uint8_t> coils() const override { return bits(tables_.coils); }

  std::string control(const std::vector<std::string>& words, Clock::time_point now) override {
    std::uint16_t code = 0;
    if (words.size() == 2 && words[0] == "fault" && parse_u16(words[1], code)) {
      model_.step(now);
      model_.set_fault(code);
      return {};
    }
    return SimUnit::control(words, now);
  }
  std::string describe() const override {
    char text[160];
    std::snprintf(text, sizeof text, "swing amplitude %.1f deg, %s%s, speed %.3f rev/s",
                  model_.amplitude_deg(),
                  model_.holding()[reg::control] != 0 ? "enabled" : "disabled",
                  model_.comm_lost() ? ", comm lost" : "", model_.speed_rev_s());
    return text;
  }

 private:
  static std::vector<std::uint8_t> bits(const std::vector<std::uint16_t>& words) {
    std::vector<std::uint8_t> out(words.size());
    std::transform(words.begin(), words.end(), out.begin(),
                   [](std::uint16_t w) { return static_cast<std::uint8_t>(w != 0 ? 1 : 0); });
    return out;
  }

  const RegisterSpec* spec(SwingKey key) const { return config::find(drive_.registers, key); }
  bool on(SwingKey key) const {
    const RegisterSpec* s = spec(key);
    return s != nullptr && tables_.toggle(*s);
  }

  // Enabled when every switch the map has for it is on, and no quick stop.
  bool enabled() const {
    bool any = false;
    for (SwingKey key : config::swing_stop_keys()) {
      if (spec(key) == nullptr) continue;
      if (!on(key)) return false;
      any = true;
    }
    return any && !on(SwingKey::quick_stop);
  }

  void apply(SwingKey key, const RegisterSpec& s, Clock::time_point now) {
    double value = tables_.number(s);
    switch (key) {
      case SwingKey::control:
      case SwingKey::enable:
      case SwingKey::run:
      case SwingKey::quick_stop:
        model_.write(reg::control, enabled() ? 1 : 0, now);
        return;
      case SwingKey::fault_reset:
        if (on(SwingKey::fault_reset)) model_.set_fault(0);
        return;
      case SwingKey::mode:
        model_.write(reg::mode, tables_.of(s.table).at(s.address), now);
        return;
      case SwingKey::heartbeat:
        model_.write(reg::heartbeat, tables_.of(s.table).at(s.address), now);
        return;
      case SwingKey::amplitude:
        model_.write(reg::amplitude, to_u16(value * 10.0), now);
        return;
      case SwingKey::period:
        model_.write(reg::period, to_u16(value * 1000.0), now);
        return;
      case SwingKey::comm_loss_timeout:
        model_.write(reg::comm_loss_timeout, to_u16(value * 1000.0), now);
        return;
      case SwingKey::comm_loss_action:
        model_.write(reg::comm_loss_action, on(key) ? 1 : 0, now);
        return;
      case SwingKey::direction:
        model_.write(reg::direction, on(key) ? 1 : 0, now);
        return;
      case SwingKey::speed:
        model_.write(reg::speed, to_u16(value / drive_.gear_ratio * 1000.0), now);
        return;
      // Read by sensoryd, never written: nothing for the model to do.
      case SwingKey::status:
      case SwingKey::ready:
      case SwingKey::running:
      case SwingKey::fault:
      case SwingKey::comm_lost:
      case SwingKey::angle:
      case SwingKey::measured_amplitude:
      case SwingKey::fault_code:
      case SwingKey::measured_speed:
        return;
    }
  }

  // The written tables with the model's readings put where the map reads them.
  Tables readings() const {
    Tables out = tables_;
    auto in = model_.inputs();
    std::uint16_t status = in[reg::status];
    int bit = 0;
    for (SwingKey flag : config::status_word_flags()) {
      if (const RegisterSpec* s = spec(flag)) out.put_flag(*s, ((status >> bit) & 1U) != 0);
      ++bit;
    }
    auto put = [&](SwingKey key, double value) {
      if (const RegisterSpec* s = spec(key)) out.put_number(*s, value);
    };
    put(SwingKey::angle, static_cast<std::int16_t>(in[reg::angle]) / 10.0);
    put(SwingKey::measured_amplitude, in[reg::measured_amplitude] / 10.0);
    put(SwingKey::measured_speed, in[reg::measured_speed] / 1000.0 * drive_.gear_ratio);
    if (const RegisterSpec* s = spec(SwingKey::fault_code))
      out.of(s->table).at(s->address) = in[reg::fault_code];
    return out;
  }

  config::SwingDrive drive_;
  Recorder& recorder_;
  SwingModel model_;
  Tables tables_;
};

// A bank of registers the controller writes (a DMX/LED controller's channels, an amplifier's
// volume, mute and source), read back as written.
class OutputUnit final : public SimUnit {
 public:
  OutputUnit(int unit, const char* kind, config::RegisterMap map,
             std::span<const config::RegisterKey> keys, Recorder& recorder)
      : SimUnit(unit), kind_(kind), map_(std::move(map)), keys_(keys), recorder_(recorder) {
    for (const auto& named : map_.registers) tables_.fit(named.spec);
  }

  const char* kind() const override { return kind_; }
  void write(bool coil, std::uint16_t address, std::span<const std::uint16_t> values,
             Clock::time_point) override {
    auto& table = coil ? tables_.coils : tables_.holding;
    for (std::size_t i = 0; i < values.size() && address + i < table.size(); ++i) {
      table[address + i] = values[i];
    }
    for (const auto& [key, spec] : map_.registers) {
      if (!overlaps(spec, coil, address, values.size())) continue;
      recorder_.write(unit(), spec.address, key, tables_.of(spec.table).at(spec.address),
                      meaning(config::find_key(keys_, key), spec, tables_));
    }
  }
  std::vector<std::uint16_t> holding() const override { return tables_.holding; }
  std::vector<std::uint16_t> inputs() const override { return tables_.input; }
  std::vector<std::uint8_t> coils() const override {
    return {tables_.coils.begin(), tables_.coils.end()};
  }
  std::string describe() const override {
    std::string text = kind_;
    for (const auto& [key, spec] : map_.registers) {
      char value[32];
      std::snprintf(value, sizeof value, "%g",
                    meaning(config::find_key(keys_, key), spec, tables_));
      text += " " + key + "=" + value;
    }
    return text;
  }

 private:
  const char* kind_;
  config::RegisterMap map_;
  std::span<const config::RegisterKey> keys_;
  Recorder& recorder_;
  Tables tables_;
};

// A digital input module: 8 contacts as discrete inputs (fc 02), mirrored as the bits of input
// register 0. Contacts are set through the control interface (`input 0 1`).
class IoUnit final : public SimUnit {
 public:
  IoUnit(int unit, Recorder& recorder, unsigned initial) : SimUnit(unit), recorder_(recorder) {
    for (std::size_t i = 0; i < contacts_.size(); ++i) contacts_[i] = (initial >> i) & 1U;
  }

  const char* kind() const override { return "io"; }
  void write(bool, std::uint16_t, std::span<const std::uint16_t>, Clock::time_point) override {}
  std::vector<std::uint16_t> holding() const override { return {}; }
  std::vector<std::uint16_t> inputs() const override {
    std::uint16_t bits = 0;
    for (std::size_t i = 0; i < contacts_.size(); ++i) {
      if (contacts_[i] != 0) bits = static_cast<std::uint16_t>(bits | (1U << i));
    }
    return {bits};
  }
  std::vector<std::uint8_t> discrete() const override {
    return {contacts_.begin(), contacts_.end()};
  }
  std::string control(const std::vector<std::string>& words, Clock::time_point now) override {
    std::uint16_t bit = 0;
    std::uint16_t value = 0;
    if (words.size() == 3 && words[0] == "input" && parse_u16(words[1], bit) &&
        parse_u16(words[2], value)) {
      if (bit >= contacts_.size() || value > 1) return "input takes a bit 0-7 and a value 0 or 1";
      contacts_[bit] = static_cast<std::uint8_t>(value);
      recorder_.event(unit(), "input",
                      "\"bit\":" + std::to_string(bit) + ",\"value\":" + std::to_string(value));
      return {};
    }
    return SimUnit::control(words, now);
  }
  std::string describe() const override {
    std::string text = "io inputs";
    for (auto c : contacts_) text += c != 0 ? " 1" : " 0";
    return text;
  }

 private:
  Recorder& recorder_;
  std::array<std::uint8_t, 8> contacts_{};
};

}  // namespace

unsigned contact_index(const config::ModbusInput& input) {
  const RegisterSpec& contact = input.contact;
  if (contact.table == RegisterTable::discrete || contact.table == RegisterTable::coil) {
    return contact.address;
  }
  return static_cast<unsigned>(std::countr_zero(contact.mask));
}

std::string SimUnit::control(const std::vector<std::string>& words, Clock::time_point) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return std::string("a ") + kind() + " unit does not know '" + text + "'";
}

std::unique_ptr<SimUnit> make_unit(const std::string& kind, int unit, const SwingPhysics& physics,
                                   Recorder& recorder, SimUnit::Clock::time_point now) {
  if (kind == "swing" || kind == "rotary") {
    config::SwingDrive drive;  // sensoryd's own map, every key (both motions)
    drive.rotary = true;
    return std::make_unique<SwingUnit>(unit, drive, physics, recorder, now);
  }
  if (kind == "light") {
    return std::make_unique<OutputUnit>(unit, "light", config::default_light_channels(),
                                        config::light_keys(), recorder);
  }
  if (kind == "amplifier") {
    return std::make_unique<OutputUnit>(unit, "amplifier", config::default_sound_registers(),
                                        config::sound_keys(), recorder);
  }
  // io=MASK: the contacts closed at power-up, e.g. io=1 for an E-stop chain that is healthy.
  if (kind == "io") return std::make_unique<IoUnit>(unit, recorder, 0);
  std::uint16_t initial = 0;
  if (kind.rfind("io=", 0) == 0 && parse_u16(kind.substr(3), initial) && initial <= 0xff) {
    return std::make_unique<IoUnit>(unit, recorder, initial);
  }
  return nullptr;
}

namespace {

std::unique_ptr<SimUnit> unit_for(const config::Device& device, unsigned closed,
                                  const SwingPhysics& physics, Recorder& recorder,
                                  SimUnit::Clock::time_point now) {
  int unit = device.modbus()->unit;
  if (const auto* drive = device.as<config::SwingDrive>()) {
    return std::make_unique<SwingUnit>(unit, *drive, physics, recorder, now);
  }
  if (const auto* light = device.as<config::ModbusLight>()) {
    return std::make_unique<OutputUnit>(unit, "light", light->channels, config::light_keys(),
                                        recorder);
  }
  if (const auto* sound = device.as<config::ModbusSound>()) {
    return std::make_unique<OutputUnit>(unit, "amplifier", sound->registers, config::sound_keys(),
                                        recorder);
  }
  return std::make_unique<IoUnit>(unit, recorder, closed);
}

}  // namespace

std::vector<std::unique_ptr<SimUnit>> make_units(const config::Room& room, const std::string& bus,
                                                 const SwingPhysics& physics, Recorder& recorder,
                                                 SimUnit::Clock::time_point now) {
  std::map<int, unsigned> closed;
  std::map<int, const config::Device*> first;
  for (const auto& device : room.devices) {
    const config::ModbusBinding* binding = device.modbus();
    if (binding == nullptr || binding->bus != bus) continue;
    first.emplace(binding->unit, &device);
    const auto* input = device.as<config::Input>();
    if (input != nullptr && input->active_low)
      closed[binding->unit] |= contact_bit(*input->modbus());
  }
  std::vector<std::unique_ptr<SimUnit>> units;
  for (const auto& [unit, device] : first) {
    units.push_back(unit_for(*device, closed[unit], physics, recorder, now));
  }
  return units;
}

}  // namespace sensoryd::sim
