// Appends what a simulated device received, timestamped, as JSON lines. Tests read this file
// to check what the equipment was actually sent (docs/safety.md: tested on the recording).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sensoryd::sim {

class Recorder {
 public:
  explicit Recorder(const std::string& path);  // empty path: record nothing
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  bool ok() const { return file_ != nullptr || !enabled_; }
  // A write of the value `name` (a configured register key) at `address`: `value` is the raw
  // register as it now stands, `engineering` what it means (degrees, seconds, 1/0 for a switch).
  void write(int unit, std::uint16_t address, const std::string& name, std::uint16_t value,
             double engineering);
  // A notable moment; `fields` are extra JSON members ("\"amplitude_deg\":1.5"), may be empty.
  void event(int unit, const std::string& name, const std::string& fields = {});
  // A fault or input change applied through the control interface, as typed.
  void control(const std::string& command);
  // An MQTT message a simulated device received: `payload_json` is the payload as JSON text
  // (a string literal when it was not JSON).
  void message(const std::string& device, const std::string& payload_json);

 private:
  void line(const std::string& json_fields);
  std::FILE* file_ = nullptr;
  bool enabled_ = false;
};

// Wall-clock seconds since the epoch with microseconds, comparable across processes.
double wall_seconds();

}  // namespace sensoryd::sim
