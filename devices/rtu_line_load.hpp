// What a room's polls ask of each of its Modbus RTU lines, and whether the line can carry it:
// the requests a second its devices make (each driver's own read plan, and the drive's
// heartbeat), and the line time each request and its answer take at the bus's baud rate and
// framing. Modbus over Serial Line V1.02, 2.5.1.1: a character is a start bit, the data bits, a
// parity bit unless none, and the stop bits; frames are apart by 3.5 characters of silence,
// 1.75 ms above 19200 baud. Pure: --check-config and the daemon's start print it.
#pragma once

#include <string>
#include <vector>

#include "config/model.hpp"

namespace sensoryd::devices {

// How long a unit takes to begin its answer: not in the standard; device manuals give
// 1-10 ms. Assumed, and said in the arithmetic.
inline constexpr double kRtuTurnaroundMs = 2.0;
// A line busier than this has no room for retries, a slow answer or a light's fade.
inline constexpr double kRtuMaxBusyMsPerS = 800.0;

struct RtuLineLoad {
  std::string bus;
  double requests_per_s = 0.0;
  double busy_ms_per_s = 0.0;  // line time those requests take each second
  std::string arithmetic;      // how it was worked out, for the technician
  bool over() const { return busy_ms_per_s > kRtuMaxBusyMsPerS; }
};

// One per RTU bus of the room, in the room file's order.
std::vector<RtuLineLoad> rtu_line_loads(const config::Room& room);

// The time one character takes on `bus` (ms), and the silence between frames (ms).
double rtu_character_ms(const config::ModbusBus& bus);
double rtu_silence_ms(const config::ModbusBus& bus);

}  // namespace sensoryd::devices
