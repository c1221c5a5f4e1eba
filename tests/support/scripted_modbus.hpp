// ModbusBus on a scripted ModbusContext, for unit tests of the bus's worker: the test sets each
// unit's answers and failures, holds a write in the transport, and reads back every request the
// worker made. Results arrive on the rig's io_context, as on the daemon's logic thread.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "devices/transport/modbus_bus.hpp"

namespace sensoryd::devices::test {

using namespace std::chrono_literals;

// A context whose answers the test sets, recording every request it was asked to make.
class ScriptedContext final : public ModbusContext {
 public:
  struct Request {
    static constexpr std::uint16_t kFailed = 0xFFFF;
    std::string op;  // "read" or "write"
    int unit;
    std::uint16_t address;
    std::uint16_t value;
    std::chrono::milliseconds timeout{0};  // the response timeout it was sent with (reads)
  };

  ModbusStatus connect() override {
    std::lock_guard lock(mutex_);
    ++connects_;
    connect_times_.push_back(std::chrono::steady_clock::now());
    if (refuse_reconnects_ && connects_ > 1) return {ModbusFailure::link, ECONNREFUSED};
    if (!connect_errors_.empty()) {
      ModbusStatus error = connect_errors_.front();
      connect_errors_.erase(connect_errors_.begin());
      return error;
    }
    return {};
  }
  void close() override {
    std::lock_guard lock(mutex_);
    ++closes_;
  }
  ModbusStatus read(int unit, RegisterKind, std::uint16_t address, std::uint16_t count,
                    std::vector<std::uint16_t>& values) override {
    std::lock_guard lock(mutex_);
    // A read's value: the offset it was answered with, or kFailed.
    requests_.push_back({"read", unit, address, offsets_[unit], timeout_});
    if (auto it = unit_errors_.find(unit); it != unit_errors_.end()) {
      requests_.back().value = Request::kFailed;
      return {it->second};
    }
    values.assign(count, static_cast<std::uint16_t>(address + offsets_[unit]));
    return {};
  }
  ModbusStatus write(int unit, std::uint16_t address, std::uint16_t value) override {
    std::unique_lock lock(mutex_);
    requests_.push_back({"write", unit, address, value});
    if (address == held_address_) {
      // Holds the worker inside this request until the test releases it (or abort()).
      held_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_ || aborted_; });
      if (aborted_) return {ModbusFailure::link, EPIPE};
    }
    return {};
  }
  ModbusStatus write_many(int unit, std::uint16_t address,
                          std::span<const std::uint16_t> values) override {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < values.size(); ++i) {
      requests_.push_back({"write16", unit, static_cast<std::uint16_t>(address + i), values[i]});
    }
    return {};
  }
  ModbusStatus write_coil(int unit, std::uint16_t address, bool on) override {
    std::lock_guard lock(mutex_);
    requests_.push_back({"coil", unit, address, static_cast<std::uint16_t>(on ? 1 : 0)});
    return {};
  }
  ModbusStatus mask_write(int unit, std::uint16_t address, std::uint16_t and_mask,
                          std::uint16_t or_mask) override {
    std::lock_guard lock(mutex_);
    requests_.push_back({"mask", unit, address, static_cast<std::uint16_t>(~and_mask | or_mask)});
    requests_.push_back({"mask-or", unit, address, or_mask});
    return {};
  }
  void set_response_timeout(std::chrono::milliseconds timeout) override {
    std::lock_guard lock(mutex_);
    timeout_ = timeout;
  }
  void flush() override {
    std::lock_guard lock(mutex_);
    ++flushes_;
  }
  int flushes() const {
    std::lock_guard lock(mutex_);
    return flushes_;
  }
  void abort() override {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    changed_.notify_all();
  }
  std::string describe(int error) const override { return std::strerror(error); }

  // Scripting, from the test thread.
  void fail_connects(std::vector<ModbusStatus> errors) {
    std::lock_guard lock(mutex_);
    connect_errors_ = std::move(errors);
  }
  // After the first connection, the device refuses every new one (it went away).
  void refuse_reconnects() {
    std::lock_guard lock(mutex_);
    refuse_reconnects_ = true;
  }
  void unit_fails(int unit, ModbusStatus error) {
    std::lock_guard lock(mutex_);
    unit_errors_[unit] = error;
  }
  void unit_answers(int unit) {
    std::lock_guard lock(mutex_);
    unit_errors_.erase(unit);
  }
  // A unit's reads answer each register's address plus `offset` (0 until set): a new offset is
  // a change of what the unit reads.
  void answer_offset(int unit, std::uint16_t offset) {
    std::lock_guard lock(mutex_);
    offsets_[unit] = offset;
  }
  void hold_writes_to(std::uint16_t address) {
    std::lock_guard lock(mutex_);
    held_address_ = address;
  }
  bool wait_until_held() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [this] { return held_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connects() const {
    std::lock_guard lock(mutex_);
    return connects_;
  }
  std::vector<std::chrono::steady_clock::time_point> connect_times() const {
    std::lock_guard lock(mutex_);
    return connect_times_;
  }
  bool aborted() const {
    std::lock_guard lock(mutex_);
    return aborted_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ModbusStatus> connect_errors_;
  std::map<int, ModbusStatus> unit_errors_;
  std::map<int, std::uint16_t> offsets_;
  std::vector<Request> requests_;
  int connects_ = 0;
  std::vector<std::chrono::steady_clock::time_point> connect_times_;
  int closes_ = 0;
  int held_address_ = -1;
  bool held_ = false;
  bool released_ = false;
  int flushes_ = 0;
  bool aborted_ = false;
  bool refuse_reconnects_ = false;
  std::chrono::milliseconds timeout_{0};
};

struct BusRig {
  explicit BusRig(std::map<int, std::chrono::milliseconds> unit_timeouts = {},
                  std::set<int> never_isolated = {}) {
    auto scripted = std::make_unique<ScriptedContext>();
    context = scripted.get();
    BusSettings settings;
    settings.id = "test-bus";
    settings.host = "127.0.0.1";
    settings.response_timeout = 50ms;
    settings.unit_timeouts = std::move(unit_timeouts);
    settings.never_isolated = std::move(never_isolated);
    bus = std::make_unique<ModbusBus>(settings, io.get_executor(), std::move(scripted));
    bus->on_link_change([this](bool up, const std::string& detail) {
      links.push_back(up);
      link_details.push_back(detail);
    });
  }
  ~BusRig() { bus->stop(); }

  // Runs the handlers the bus posts until `condition` holds; false after 5 s.
  template <typename Condition>
  bool run_until(Condition condition) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.run_for(5ms);  // handles what arrives within the slice: a deadline, not a sleep
    }
    return true;
  }
  std::vector<ScriptedContext::Request> writes() const {
    std::vector<ScriptedContext::Request> out;
    for (const auto& r : context->requests()) {
      if (r.op == "write") out.push_back(r);
    }
    return out;
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  ScriptedContext* context = nullptr;
  std::unique_ptr<ModbusBus> bus;
  std::vector<bool> links;
  std::vector<std::string> link_details;
};

}  // namespace sensoryd::devices::test
