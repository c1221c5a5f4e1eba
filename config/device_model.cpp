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

namespace {

template <typename... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <typename... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

}  // namespace

DeviceKind Device::kind() const {
  return std::visit(Overloaded{
                        [](const SwingDrive&) { return DeviceKind::swing_drive; },
                        [](const MqttLight&) { return DeviceKind::light; },
                        [](const ModbusLight&) { return DeviceKind::light; },
                        [](const MqttSound&) { return DeviceKind::sound; },
                        [](const ModbusSound&) { return DeviceKind::sound; },
                        [](const Input&) { return DeviceKind::input; },
                    },
                    equipment);
}

const ModbusBinding* Device::modbus() const {
  return std::visit(Overloaded{
                        [](const SwingDrive& d) -> const ModbusBinding* { return &d.modbus; },
                        [](const ModbusLight& d) -> const ModbusBinding* { return &d.modbus; },
                        [](const ModbusSound& d) -> const ModbusBinding* { return &d.modbus; },
                        [](const Input& d) -> const ModbusBinding* {
                          return d.modbus() ? &d.modbus()->modbus : nullptr;
                        },
                        [](const auto&) -> const ModbusBinding* { return nullptr; },
                    },
                    equipment);
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
