// What a Modbus driver needs from its bus: polls, latest-wins writes, one-shot reads and link
// state, every result delivered on the logic thread; and for safety inputs a reflex run on the
// bus's own thread, with the hold it may put on a drive's register (docs/safety.md S3, S19).
// ModbusBus is the real one; tests use fakes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sensoryd::devices {

// holding and input registers (fc 03/04); discrete inputs (fc 02) read as one value (0/1) each.
enum class RegisterKind { holding, input, discrete };

struct ReadResult {
  bool ok = false;
  std::vector<std::uint16_t> values;
  std::string error;  // empty when ok
};

struct WriteResult {
  bool ok = false;
  std::string error;
};

class RegisterBus {
 public:
  using ReadHandler = std::function<void(const ReadResult&)>;
  using WriteHandler = std::function<void(const WriteResult&)>;
  using LinkHandler = std::function<void(bool connected, const std::string& detail)>;
  // Runs on the bus's own thread with each result of a poll, before the result is delivered:
  // must be quick and thread-safe. A safety input's stop reflex.
  using Reflex = std::function<void(const ReadResult&)>;

  virtual ~RegisterBus() = default;

  // Set up before the bus starts. Every device on the bus adds its own link handler.
  virtual void on_link_change(LinkHandler handler) = 0;
  virtual void add_poll(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                        std::chrono::milliseconds period, ReadHandler handler, Reflex reflex) = 0;
  void add_poll(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                std::chrono::milliseconds period, ReadHandler handler) {
    add_poll(unit, kind, address, count, period, std::move(handler), {});
  }

  // A newer write to the same (unit, register) replaces one not yet sent, so a setpoint is
  // never written late with a stale value. Writes go out before reads queued after them.
  virtual void write(int unit, std::uint16_t address, std::uint16_t value,
                     WriteHandler done = {}) = 0;
  virtual void read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                    ReadHandler done) = 0;

  // Thread-safe, from any thread (a reflex on another bus). Writes `value` to the register
  // before any other queued request and any further poll, and refuses every other value for it
  // until release(): a stop that nothing queued earlier can undo.
  virtual void hold(int unit, std::uint16_t address, std::uint16_t value) = 0;
  virtual void release(int unit, std::uint16_t address) = 0;
};

}  // namespace sensoryd::devices
