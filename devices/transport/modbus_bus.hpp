// One Modbus bus, TCP or RTU (serial): a worker thread that owns its ModbusContext (libmodbus in
// the daemon, a scripted one in unit tests), connects (or opens the serial port) with backoff,
// runs periodic polls, and performs writes latest-wins per register, each queued write before
// the next poll. Every result is posted to the logic executor, so drivers never run on the bus
// thread; only a poll's reflex (a safety input's stop) runs here, before its result is posted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "devices/transport/asio.hpp"
#include "devices/transport/modbus_context.hpp"
#include "devices/transport/register_bus.hpp"
#include "devices/transport/room_bus.hpp"
#include "devices/transport/write_queue.hpp"

namespace sensoryd::devices {

struct BusSettings {
  std::string id;
  bool rtu = false;
  // tcp
  std::string host;
  int port = 502;
  // rtu
  std::string device;
  int baud = 19200;
  char parity = 'E';
  int data_bits = 8;
  int stop_bits = 1;
  // both
  std::chrono::milliseconds response_timeout{250};
  // Units that wait a time of their own for an answer (a device's response_timeout), so that a
  // dead one costs the others no more than that while it is tried again.
  std::map<int, std::chrono::milliseconds> unit_timeouts;
  // Units never isolated (the drive's, the E-stop's and the door's): their loss trips the room
  // anyway, and a glitch of two missed answers must not turn into a second of failed polls.
  std::set<int> never_isolated;
  std::chrono::milliseconds frame_delay{0};  // quiet time after each request (slow RTU devices)
};

class ModbusBus final : public RoomBus {
 public:
  // Without a context, the bus talks through libmodbus.
  ModbusBus(BusSettings settings, asio::any_io_executor logic,
            std::unique_ptr<ModbusContext> context = nullptr);
  ~ModbusBus() override;
  ModbusBus(const ModbusBus&) = delete;
  ModbusBus& operator=(const ModbusBus&) = delete;

  // Configuration before start().
  void on_link_change(LinkHandler handler) override {
    link_handlers_.push_back(std::move(handler));
  }
  using RegisterBus::add_poll;
  void add_poll(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                std::chrono::milliseconds period, ReadHandler handler, Reflex reflex) override;

  void start() override;
  void stop() override;

  // Thread-safe; see RegisterBus for the ordering guarantees.
  using RegisterBus::hold;
  using RegisterBus::release;
  using RegisterBus::write;
  void write(int unit, std::uint16_t address, const RegisterWrite& write,
             WriteHandler done) override;
  void read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
            ReadHandler done) override;
  void hold(int unit, std::uint16_t address, const RegisterWrite& write) override;
  void release(int unit, std::uint16_t address, bool coil) override;

  const std::string& id() const { return settings_.id; }

  // True when the worker has made no progress for longer than any healthy cycle takes (a
  // request stuck in the transport). Thread-safe; the daemon then withholds systemd's watchdog
  // ping so that a stuck bus gets the daemon restarted.
  bool stuck(std::chrono::steady_clock::time_point now) const override;

 private:
  struct Poll {
    int unit;
    RegisterKind kind;
    std::uint16_t address;
    std::uint16_t count;
    std::chrono::milliseconds period;
    ReadHandler handler;
    Reflex reflex;
    std::chrono::steady_clock::time_point due{};
  };
  struct PendingRead {
    int unit;
    RegisterKind kind;
    std::uint16_t address;
    std::uint16_t count;
    ReadHandler done;
  };

  using Key = WriteQueue::Key;

  void run();
  // Connects; false (with the reason logged once) when it cannot.
  bool connect(std::string& last_error);
  // Waits for work or the next due poll, then sends the queued writes in the order asked,
  // the queued reads, and the polls that are due.
  void serve_cycle();
  // Sends held values not yet written, then the queued writes in the order asked (a value
  // held meanwhile going first, and no other value of a held register after it). Called
  // before every poll, so a stop never waits behind polls nor behind other writes.
  void send_queued_writes();
  void send_held_values();
  // Delivers what the queue says its owners must hear.
  void tell(WriteQueue::Notices notices);
  // Fails every queued write and read with `why`: nothing is sent late.
  void fail_queued(const std::string& why);
  // Waits out a reconnect backoff in slices, so that a long one never looks stuck.
  void wait_before_retry(std::chrono::milliseconds backoff);
  std::string endpoint() const;  // host:port or the serial device, for messages
  void pace();                   // the configured quiet time between requests
  void disconnect(const std::string& why);
  // Why a request to `unit` is not sent now (it timed out this cycle, or it is isolated until
  // its next try); none when it may go, with the context set to the unit's response timeout.
  std::optional<std::string> skip_or_prepare(int unit);
  // A unit answered / did not answer within its timeout (docs/safety.md, "A dead unit").
  void unit_answered(int unit);
  void unit_timed_out(int unit);
  ReadResult do_read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count);
  WriteResult do_write(const Key& key, const RegisterWrite& write);
  void note_failure(const ModbusStatus& status);
  // What a failed request says to its driver (a device's health detail).
  std::string failure_text(const ModbusStatus& status) const;
  void announce_link(bool connected, const std::string& detail);
  void mark_progress();
  template <typename Result>
  void deliver(const std::function<void(const Result&)>& handler, Result result);

  BusSettings settings_;
  asio::any_io_executor logic_;
  std::vector<LinkHandler> link_handlers_;
  std::vector<Poll> polls_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool worker_done_ = false;
  WriteQueue writes_;  // latest-wins writes and safety holds (write_queue.hpp)
  std::vector<PendingRead> reads_;

  std::atomic<std::int64_t> last_progress_ns_{0};

  // Used by the worker thread only (but abort(), which stop() may call).
  std::unique_ptr<ModbusContext> context_;
  bool connected_ = false;
  std::vector<int> silent_units_;  // units that timed out in this polling cycle
  // A unit that stops answering is isolated: its requests fail at once, and one is tried again
  // after a backoff (1 s, doubling to 8 s), so that the others keep their polls and a dead
  // amplifier never takes the E-stop on the same bus with it.
  struct UnitState {
    int timeouts = 0;                      // in a row
    std::chrono::milliseconds backoff{0};  // isolated while not 0
    std::chrono::steady_clock::time_point retry_at{};
  };
  std::map<int, UnitState> units_;
  std::chrono::milliseconds context_timeout_{0};  // the response timeout the context has now
  int consecutive_timeouts_ = 0;
  int consecutive_out_of_step_ = 0;  // answers to another request in a row
  // Garbled answers (bad CRC) counted since the last time the log said so, at most every 10 s.
  int garbled_ = 0;
  std::chrono::steady_clock::time_point garbled_said_{};
  std::thread worker_;
};

}  // namespace sensoryd::devices
