// The kinds of equipment a simulated Modbus bus can host, one per unit id: their registers,
// what a write does to them, and the unit-specific faults and inputs the control interface sets.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
  virtual void write(std::uint16_t address, std::uint16_t value, Clock::time_point now) = 0;
  virtual const char* register_name(std::uint16_t address) const = 0;
  virtual std::vector<std::uint16_t> holding() const = 0;
  virtual std::vector<std::uint16_t> inputs() const = 0;
  virtual std::vector<std::uint8_t> discrete() const { return {}; }
  // A unit-specific control command (`fault 7`, `input 0 1`); returns an error text, or empty.
  virtual std::string control(const std::vector<std::string>& words, Clock::time_point now);
  // One line describing the unit's state, for `status`.
  virtual std::string describe() const = 0;

 private:
  int unit_;
};

// Creates a unit of `kind` (swing, light, amplifier, io, io=MASK with the contacts closed at
// power-up); null for an unknown kind.
std::unique_ptr<SimUnit> make_unit(const std::string& kind, int unit, const SwingPhysics& physics,
                                   Recorder& recorder, SimUnit::Clock::time_point now);

// The kinds make_unit knows, for usage messages.
inline constexpr const char* kUnitKinds = "swing, light, amplifier, io, io=MASK";

}  // namespace sensoryd::sim
