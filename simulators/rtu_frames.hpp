// Modbus RTU requests as a server reads them off a serial line (Modbus over Serial Line
// V1.02, 2.5.1): where a request ends, told from its function code, and whether its CRC holds.
// The simulator's RTU bus serves several units on one line with it; libmodbus's own receive
// takes frames for one unit only.
#pragma once

#include <cstdint>
#include <span>

namespace sensoryd::sim {

// The whole length (address, function, data, CRC) of the request that `frame` begins; 0 while
// too few bytes have come to tell; -1 for a function code the simulator does not serve.
int rtu_request_length(std::span<const std::uint8_t> frame);

// The CRC-16 of Modbus RTU (polynomial 0xA001 reflected, initial 0xFFFF), as sent: low byte
// first.
std::uint16_t rtu_crc(std::span<const std::uint8_t> bytes);

// True when the last two bytes of `frame` are the CRC of the rest.
bool rtu_crc_ok(std::span<const std::uint8_t> frame);

}  // namespace sensoryd::sim
