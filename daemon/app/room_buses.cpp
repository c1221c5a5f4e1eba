#include "daemon/app/room_buses.hpp"

#include <algorithm>

#include "devices/transport/modbus_bus.hpp"

namespace sensoryd {

std::unique_ptr<devices::RoomBus> make_modbus_bus(const config::ModbusBus& bus,
                                                  const config::Room& room, asio::io_context& io) {
  devices::BusSettings settings;
  settings.id = bus.id;
  settings.rtu = bus.type == config::BusType::rtu;
  settings.host = bus.host;
  settings.port = bus.port;
  settings.device = bus.device;
  settings.baud = bus.baud;
  settings.parity = bus.parity;
  settings.data_bits = bus.data_bits;
  settings.stop_bits = bus.stop_bits;
  settings.response_timeout = bus.response_timeout;
  settings.frame_delay = bus.frame_delay;
  for (const auto& device : room.devices) {
    const config::ModbusBinding* binding = device.modbus();
    if (binding == nullptr || binding->bus != bus.id) continue;
    const auto* input = device.as<config::Input>();
    bool safety = device.kind() == config::DeviceKind::swing_drive ||
                  (input != nullptr && (input->role == config::InputRole::estop ||
                                        input->role == config::InputRole::door));
    if (safety) settings.never_isolated.insert(binding->unit);
    if (!binding->response_timeout) continue;
    // Two devices of one unit with times of their own: the shorter holds for the unit.
    auto [it, added] = settings.unit_timeouts.emplace(binding->unit, *binding->response_timeout);
    if (!added) it->second = std::min(it->second, *binding->response_timeout);
  }
  return std::make_unique<devices::ModbusBus>(settings, io.get_executor());
}

}  // namespace sensoryd
