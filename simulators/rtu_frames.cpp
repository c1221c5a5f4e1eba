#include "simulators/rtu_frames.hpp"

namespace sensoryd::sim {

int rtu_request_length(std::span<const std::uint8_t> frame) {
  if (frame.size() < 2) return 0;
  switch (frame[1]) {
    case 0x01:  // read coils
    case 0x02:  // read discrete inputs
    case 0x03:  // read holding registers
    case 0x04:  // read input registers
    case 0x05:  // write single coil
    case 0x06:  // write single register
      return 8;
    case 0x0F:  // write multiple coils: ... byte count at 6, then the bytes
    case 0x10:  // write multiple registers
      return frame.size() < 7 ? 0 : 9 + frame[6];
    case 0x16:  // mask write register
      return 10;
    case 0x17:  // read/write multiple registers: write byte count at 10
      return frame.size() < 11 ? 0 : 13 + frame[10];
    default:
      return -1;
  }
}

std::uint16_t rtu_crc(std::span<const std::uint8_t> bytes) {
  std::uint16_t crc = 0xFFFF;
  for (std::uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) != 0 ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001)
                           : static_cast<std::uint16_t>(crc >> 1);
    }
  }
  return crc;
}

bool rtu_crc_ok(std::span<const std::uint8_t> frame) {
  if (frame.size() < 4) return false;
  std::uint16_t crc = rtu_crc(frame.first(frame.size() - 2));
  return frame[frame.size() - 2] == (crc & 0xFF) && frame[frame.size() - 1] == (crc >> 8);
}

}  // namespace sensoryd::sim
