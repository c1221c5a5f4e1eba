#include "simulators/sim_units.hpp"

#include <array>
#include <cstdio>

namespace sensoryd::sim {

namespace {

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

// A swing motor drive: physics, comm-loss watchdog and drive faults (see SwingModel).
class SwingUnit final : public SimUnit {
 public:
  SwingUnit(int unit, const SwingPhysics& physics, Recorder& recorder, Clock::time_point now)
      : SimUnit(unit), model_(physics, now, [&recorder, unit](const std::string& event, double a) {
          char fields[48];
          std::snprintf(fields, sizeof fields, "\"amplitude_deg\":%.2f", a);
          recorder.event(unit, event, fields);
        }) {}

  const char* kind() const override { return "swing"; }
  void step(Clock::time_point now) override { model_.step(now); }
  void write(std::uint16_t address, std::uint16_t value, Clock::time_point now) override {
    model_.write(address, value, now);
  }
  const char* register_name(std::uint16_t address) const override {
    return sim::register_name(address);
  }
  std::vector<std::uint16_t> holding() const override {
    return {model_.holding().begin(), model_.holding().end()};
  }
  std::vector<std::uint16_t> inputs() const override {
    auto in = model_.inputs();
    return {in.begin(), in.end()};
  }
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
    char text[128];
    std::snprintf(text, sizeof text, "swing amplitude %.1f deg, control %u%s, speed %.3f rev/s",
                  model_.amplitude_deg(), model_.holding()[reg::control],
                  model_.comm_lost() ? ", comm lost" : "", model_.speed_rev_s());
    return text;
  }

 private:
  SwingModel model_;
};

// A bank of holding registers that the controller writes (a DMX/LED controller's channels or an
// amplifier's volume, mute and source); it reads them back as input registers.
class RegisterUnit final : public SimUnit {
 public:
  RegisterUnit(int unit, const char* kind, std::vector<const char*> names)
      : SimUnit(unit), kind_(kind), names_(std::move(names)), values_(names_.size(), 0) {}

  const char* kind() const override { return kind_; }
  void write(std::uint16_t address, std::uint16_t value, Clock::time_point) override {
    if (address < values_.size()) values_[address] = value;
  }
  const char* register_name(std::uint16_t address) const override {
    return address < names_.size() ? names_[address] : "unknown";
  }
  std::vector<std::uint16_t> holding() const override { return values_; }
  std::vector<std::uint16_t> inputs() const override { return values_; }
  std::string describe() const override {
    std::string text = kind_;
    for (std::size_t i = 0; i < values_.size(); ++i) {
      text += std::string(" ") + names_[i] + "=" + std::to_string(values_[i]);
    }
    return text;
  }

 private:
  const char* kind_;
  std::vector<const char*> names_;
  std::vector<std::uint16_t> values_;
};

// A digital input module: 8 contacts as discrete inputs (fc 02), mirrored as the bits of input
// register 0. Contacts are set through the control interface (`input 0 1`).
class IoUnit final : public SimUnit {
 public:
  IoUnit(int unit, Recorder& recorder, unsigned initial) : SimUnit(unit), recorder_(recorder) {
    for (std::size_t i = 0; i < contacts_.size(); ++i) contacts_[i] = (initial >> i) & 1U;
  }

  const char* kind() const override { return "io"; }
  void write(std::uint16_t, std::uint16_t, Clock::time_point) override {}
  const char* register_name(std::uint16_t) const override { return "unknown"; }
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

std::string SimUnit::control(const std::vector<std::string>& words, Clock::time_point) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return std::string("a ") + kind() + " unit does not know '" + text + "'";
}

std::unique_ptr<SimUnit> make_unit(const std::string& kind, int unit, const SwingPhysics& physics,
                                   Recorder& recorder, SimUnit::Clock::time_point now) {
  if (kind == "swing") return std::make_unique<SwingUnit>(unit, physics, recorder, now);
  if (kind == "light") {
    return std::make_unique<RegisterUnit>(
        unit, "light", std::vector<const char*>{"red", "green", "blue", "dimmer"});
  }
  if (kind == "amplifier") {
    return std::make_unique<RegisterUnit>(unit, "amplifier",
                                          std::vector<const char*>{"volume", "mute", "source"});
  }
  // io=MASK: the contacts closed at power-up, e.g. io=1 for an E-stop chain that is healthy.
  if (kind == "io") return std::make_unique<IoUnit>(unit, recorder, 0);
  std::uint16_t initial = 0;
  if (kind.rfind("io=", 0) == 0 && parse_u16(kind.substr(3), initial) && initial <= 0xff) {
    return std::make_unique<IoUnit>(unit, recorder, initial);
  }
  return nullptr;
}

}  // namespace sensoryd::sim
