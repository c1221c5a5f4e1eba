// The kinds of equipment a simulated Modbus bus can host, one per unit id, each speaking the
// register map its device has in the room's configuration (types, scale, word order, bits,
// tables): what a write does to it, what it answers, and the unit-specific faults and inputs the
// control interface sets. Every write is recorded raw and in engineering units.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "simulators/recorder.hpp"
#include "simulators/swing_model.hpp"

namespace sensoryd::sim {

class SimUnit {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SimUnit(int unit) : unit_(unit) {}
  virtual ~SimUnit() = default;

  int unit() const { return unit_; }
  virtual const char* kind() const = 0;
  virtual void step(Clock::time_point /*now*/) {}
  // Any request addressed to the unit (some drives' watchdogs count every one).
  virtual void on_request(Clock::time_point /*now*/) {}
  // A write the bus accepted: `values` now stand in the holding registers (or coils, 0/1) from
  // `address` on.
  virtual void write(bool coil, std::uint16_t address, std::span<const std::uint16_t> values,
                     Clock::time_point now) = 0;
  // The images the bus answers from; their sizes never change.
  virtual std::vector<std::uint16_t> holding() const = 0;
  virtual std::vector<std::uint16_t> inputs() const = 0;
  virtual std::vector<std::uint8_t> discrete() const { return {}; }
  virtual std::vector<std::uint8_t> coils() const { return {}; }
  // A unit-specific control command (`fault 7`, `input 0 1`); returns an error text, or empty.
  virtual std::string control(const std::vector<std::string>& words, Clock::time_point now);
  // One line describing the unit's state, for `status`.
  virtual std::string describe() const = 0;

 private:
  int unit_;
};

// A unit of `kind` with sensoryd's own register maps (swing, rotary, light, amplifier, io,
// io=MASK with the contacts closed at power-up); null for an unknown kind.
std::unique_ptr<SimUnit> make_unit(const std::string& kind, int unit, const SwingPhysics& physics,
                                   Recorder& recorder, SimUnit::Clock::time_point now);

// One unit per unit id of bus `bus` in `room`, each speaking its device's configured map; an
// I/O module's contacts are closed at power-up where an active-low input (an E-stop chain's
// status contact) is wired.
std::vector<std::unique_ptr<SimUnit>> make_units(const config::Room& room, const std::string& bus,
                                                 const SwingPhysics& physics, Recorder& recorder,
                                                 SimUnit::Clock::time_point now);

// Which of an I/O module's contacts (0-7) an input is wired to.
unsigned contact_index(const config::ModbusInput& input);
// That contact as a bit of the module's power-up mask.
inline unsigned contact_bit(const config::ModbusInput& input) {
  return 1U << contact_index(input);
}

// The kinds make_unit knows, for usage messages.
inline constexpr const char* kUnitKinds = "swing, rotary, light, amplifier, io, io=MASK";

}  // namespace sensoryd::sim
