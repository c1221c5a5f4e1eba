// A swing drive as the safety supervisor holds it: whatever the model, it takes only a
// supervisor-made SwingOutput (docs/safety.md S1), keeps its own comm-loss watchdog fed (S6),
// and reports a reading and a health. SwingDrive (Modbus, register map from the config) is the
// first model; another drive model implements this and is built in make_supervisor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "config/model.hpp"
#include "devices/health.hpp"
#include "devices/swing_output.hpp"

namespace sensoryd::devices {

struct SwingReading {
  bool valid = false;
  bool ready = false;
  bool running = false;
  bool fault = false;
  bool comm_lost = false;
  double angle_deg = 0.0;
  double amplitude_deg = 0.0;
  double speed_rev_s = 0.0;  // rotary drives
  std::uint16_t fault_code = 0;
};

class Drive {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~Drive() = default;

  virtual void apply(const SwingOutput& output) = 0;
  // Thread-safe, from a bus thread (a safety input's reflex): disables the drive before anything
  // else queued on its bus, and refuses enabling it until release_stop() (docs/safety.md S19).
  virtual void hold_stop() = 0;
  // On the logic thread, once the supervisor has latched the trip and ordered the stop itself.
  virtual void release_stop() = 0;
  // Writes the stop again, whatever was written before, and says on the logic thread whether the
  // drive acknowledged it: a functional check's evidence that a press reaches the drive (S21).
  virtual void confirm_stop(std::function<void(bool acknowledged)> done) = 0;
  // Feeds the drive's watchdog, and declares the drive lost when readings stop arriving.
  virtual void tick(Clock::time_point now) = 0;

  // Online, and its comm-loss watchdog written and read back (S2).
  virtual bool ready_for_motion() const = 0;
  virtual Health health() const = 0;
  virtual const std::string& health_detail() const = 0;
  virtual bool watchdog_confirmed() const = 0;
  virtual const SwingReading& reading() const = 0;
  virtual const std::string& id() const = 0;
  virtual config::Millis comm_loss_timeout() const = 0;
  virtual bool rotary() const = 0;

  // Called on the logic thread whenever health or watchdog confirmation changes.
  virtual void on_change(std::function<void()> handler) = 0;
};

}  // namespace sensoryd::devices
