// What a Modbus driver needs from its bus: polls, latest-wins writes, one-shot reads and link
// state, every result delivered on the logic thread; and for safety inputs a reflex run on the
// bus's own thread, with the hold it may put on a drive's register (docs/safety.md S3, S19).
// ModbusBus is the real one; tests use fakes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sensoryd::devices {

// holding and input registers (fc 03/04); discrete inputs (fc 02) and coils (fc 01) read as one
// value (0/1) each.
enum class RegisterKind { holding, input, discrete, coil };

// One write to a unit: whole values (fc 06 for one register, fc 16 for two, fc 05 for a coil), or
// some bits of one holding register (fc 22, or fc 03 then fc 06 on the bus thread), so that the
// bits sensoryd does not own (a drive's "remote" bit) keep their value.
struct RegisterWrite {
  enum class Form : std::uint8_t { values, bits };
  Form form = Form::values;
  bool coil = false;
  std::array<std::uint16_t, 2> words{};
  std::uint16_t count = 1;
  std::uint16_t and_mask = 0xFFFF;
  std::uint16_t or_mask = 0;
  bool mask_write = false;  // bits: one fc 22 rather than read-modify-write

  static RegisterWrite single(std::uint16_t value) { return {Form::values, false, {value, 0}}; }
  static RegisterWrite pair(std::uint16_t first, std::uint16_t second) {
    return {Form::values, false, {first, second}, 2};
  }
  static RegisterWrite coil_value(bool on) {
    return {Form::values, true, {static_cast<std::uint16_t>(on ? 1 : 0), 0}};
  }
  static RegisterWrite bits(std::uint16_t and_mask, std::uint16_t or_mask, bool mask_write) {
    return {Form::bits, false, {}, 1, and_mask, or_mask, mask_write};
  }

  // The bits of its register this write sets (all of them for a whole value).
  std::uint16_t touched() const {
    return form == Form::values ? std::uint16_t{0xFFFF}
                                : static_cast<std::uint16_t>(~and_mask | or_mask);
  }
  // What a one-register write leaves in a register that held `current`.
  std::uint16_t apply(std::uint16_t current) const {
    if (form == Form::values) return words[0];
    return static_cast<std::uint16_t>((current & and_mask) | or_mask);
  }
  // This write, then `later`, as one write (for latest-wins queues).
  RegisterWrite then(const RegisterWrite& later) const;
  // True when writing this leaves every bit `held` sets as `held` sets it.
  bool keeps(const RegisterWrite& held) const;
  bool operator==(const RegisterWrite&) const = default;
};

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

  // A newer write to the same (unit, register) replaces one not yet sent (bits of it are merged
  // into it), so a setpoint is never written late with a stale value. Writes go out before reads
  // queued after them, and in the order they were asked for.
  virtual void write(int unit, std::uint16_t address, const RegisterWrite& write,
                     WriteHandler done) = 0;
  void write(int unit, std::uint16_t address, const RegisterWrite& w) {
    write(unit, address, w, {});
  }
  void write(int unit, std::uint16_t address, std::uint16_t value, WriteHandler done = {}) {
    write(unit, address, RegisterWrite::single(value), std::move(done));
  }
  virtual void read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                    ReadHandler done) = 0;

  // Thread-safe, from any thread (a reflex on another bus). Sends `write` to the register before
  // any other queued request and any further poll, and refuses every write that would change a
  // bit it sets until release(): a stop that nothing queued earlier can undo.
  virtual void hold(int unit, std::uint16_t address, const RegisterWrite& write) = 0;
  virtual void release(int unit, std::uint16_t address, bool coil) = 0;
  void hold(int unit, std::uint16_t address, std::uint16_t value) {
    hold(unit, address, RegisterWrite::single(value));
  }
  void release(int unit, std::uint16_t address) { release(unit, address, false); }
};

}  // namespace sensoryd::devices
