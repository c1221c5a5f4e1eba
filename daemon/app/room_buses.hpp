// The room's Modbus buses, each a ModbusBus (libmodbus) on the logic executor, with the units
// that wait a response time of their own (a device's response_timeout).
#pragma once

#include "config/model.hpp"
#include "devices/transport/asio.hpp"
#include "devices/transport/room_bus.hpp"

namespace sensoryd {

std::unique_ptr<devices::RoomBus> make_modbus_bus(const config::ModbusBus& bus,
                                                  const config::Room& room, asio::io_context& io);

}  // namespace sensoryd
