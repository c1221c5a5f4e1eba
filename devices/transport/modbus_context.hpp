// The libmodbus calls a bus worker makes, behind an interface: LibmodbusContext is the real
// one (devices/transport/libmodbus_context.cpp, the only libmodbus user); unit tests of
// ModbusBus give it a scripted one. Every call but abort() runs on the bus's own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

struct BusSettings;

// 0 when a call succeeded, else the errno (or libmodbus error code) it failed with.
// Why a request failed, as the bus acts on it. The context sorts its library's own codes into
// these (libmodbus_context.cpp), so the bus never needs to know them.
enum class ModbusFailure : std::uint8_t {
  none,
  timeout,      // no answer within the response timeout: the unit may be dead
  out_of_step,  // an answer to another request (a late one): the stream is one behind
  link,         // the connection or the serial port is gone: reconnect
  garbled,      // an answer whose CRC fails: a serial line at the wrong baud rate or parity, or
                // noise on its wiring
  other,        // an exception reply, a malformed answer: the link itself is fine
};

struct ModbusStatus {
  ModbusFailure failure = ModbusFailure::none;
  int error = 0;  // the context's own code, for describe()
  bool ok() const { return failure == ModbusFailure::none; }
};

class ModbusContext {
 public:
  virtual ~ModbusContext() = default;

  // Opens the TCP connection or the serial port.
  virtual ModbusStatus connect() = 0;
  virtual void close() = 0;
  // Reads `count` values into `values` (resized to `count` on success).
  virtual ModbusStatus read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                            std::vector<std::uint16_t>& values) = 0;
  virtual ModbusStatus write(int unit, std::uint16_t address, std::uint16_t value) = 0;  // fc 06
  virtual ModbusStatus write_many(int unit, std::uint16_t address,
                                  std::span<const std::uint16_t> values) = 0;     // fc 16
  virtual ModbusStatus write_coil(int unit, std::uint16_t address, bool on) = 0;  // fc 05
  virtual ModbusStatus mask_write(int unit, std::uint16_t address, std::uint16_t and_mask,
                                  std::uint16_t or_mask) = 0;  // fc 22
  // How long the next requests wait for an answer (a unit's own timeout, or the bus's); a new
  // connection starts with the bus's.
  virtual void set_response_timeout(std::chrono::milliseconds timeout) = 0;
  // Discards bytes that arrive late after a timeout, so the next answer is not misread.
  virtual void flush() = 0;
  // Thread-safe, from any thread: unblocks a request stuck in the transport (shutdown).
  virtual void abort() = 0;
  // Words for an error number, for logs and device details.
  virtual std::string describe(int error) const = 0;
};

std::unique_ptr<ModbusContext> make_libmodbus_context(const BusSettings& settings);

}  // namespace sensoryd::devices
