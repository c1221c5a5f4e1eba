#include <algorithm>

#include "config/device_model.hpp"

namespace sensoryd::config {

const char* to_string(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::swing_drive:
      return "swing_drive";
    case DeviceKind::light:
      return "light";
    case DeviceKind::sound:
      return "sound";
    case DeviceKind::input:
      return "input";
  }
  return "unknown";
}

const char* to_string(InputRole role) {
  switch (role) {
    case InputRole::estop:
      return "estop";
    case InputRole::door:
      return "door";
    case InputRole::occupancy:
      return "occupancy";
    case InputRole::child_switch:
      return "child_switch";
  }
  return "unknown";
}

const ModbusBinding* Device::modbus() const {
  if (swing) return &swing->modbus;
  if (modbus_light) return &modbus_light->modbus;
  if (modbus_sound) return &modbus_sound->modbus;
  if (input && input->modbus) return &input->modbus->modbus;
  return nullptr;
}

double Calibration::dba_at(double volume) const {
  if (points.empty()) return 0.0;
  if (volume <= points.front().first) return points.front().second;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const auto& [v0, d0] = points[i - 1];
    const auto& [v1, d1] = points[i];
    if (volume <= v1) return d0 + (d1 - d0) * (volume - v0) / (v1 - v0);
  }
  return points.back().second;
}

double Calibration::volume_for(double dba) const {
  if (points.empty() || dba < points.front().second) return 0.0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const auto& [v0, d0] = points[i - 1];
    const auto& [v1, d1] = points[i];
    if (dba <= d1) return v0 + (v1 - v0) * (dba - d0) / (d1 - d0);
  }
  return points.back().first;
}

}  // namespace sensoryd::config
