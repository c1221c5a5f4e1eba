#include "devices/transport/modbus_bus.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

namespace sensoryd::devices {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 500ms;
constexpr auto kMaxBackoff = 10s;
constexpr int kTimeoutsBeforeReconnect = 3;
// A unit that misses this many answers in a row is isolated, and tried again after
// kFirstIsolation, doubling up to kMaxIsolation while it stays silent.
constexpr int kTimeoutsBeforeIsolating = 2;
constexpr auto kFirstIsolation = 1000ms;
constexpr auto kMaxIsolation = 8000ms;

}  // namespace

ModbusBus::ModbusBus(BusSettings settings, asio::any_io_executor logic,
                     std::unique_ptr<ModbusContext> context)
    : settings_(std::move(settings)),
      logic_(std::move(logic)),
      context_(context ? std::move(context) : make_libmodbus_context(settings_)) {}

ModbusBus::~ModbusBus() {
  stop();
}

void ModbusBus::add_poll(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                         std::chrono::milliseconds period, ReadHandler handler, Reflex reflex) {
  polls_.push_back(Poll{unit, kind, address, count, period, std::move(handler), std::move(reflex)});
}

void ModbusBus::start() {
  mark_progress();
  worker_ = std::thread([this] { run(); });
}

void ModbusBus::mark_progress() {
  last_progress_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

bool ModbusBus::stuck(Clock::time_point now) const {
  if (!worker_.joinable()) return false;
  // A healthy cycle waits at most 1 s for work, then spends at most a response timeout per
  // request; a few requests' worth on top leaves room for a slow but working device.
  auto limit = std::chrono::seconds(2) + settings_.response_timeout * 4;
  Clock::time_point last{Clock::duration{last_progress_ns_.load(std::memory_order_relaxed)}};
  return now - last > limit;
}

void ModbusBus::stop() {
  if (!worker_.joinable()) return;
  std::unique_lock lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  // The worker sends what is queued (the last safe outputs) and ends; one that is stuck in a
  // request is unblocked by shutting its connection down.
  auto grace = settings_.response_timeout * 4 + std::chrono::milliseconds(200);
  if (!wake_.wait_for(lock, grace, [this] { return worker_done_; })) context_->abort();
  lock.unlock();
  worker_.join();
}

void ModbusBus::write(int unit, std::uint16_t address, const RegisterWrite& write,
                      WriteHandler done) {
  {
    std::lock_guard lock(mutex_);
    tell(writes_.write(Key{unit, write.coil, address}, write, std::move(done)));
  }
  wake_.notify_all();
}

void ModbusBus::hold(int unit, std::uint16_t address, const RegisterWrite& write) {
  {
    std::lock_guard lock(mutex_);
    tell(writes_.hold(Key{unit, write.coil, address}, write));
  }
  wake_.notify_all();
}

void ModbusBus::release(int unit, std::uint16_t address, bool coil) {
  std::lock_guard lock(mutex_);
  writes_.release(Key{unit, coil, address});
}

void ModbusBus::tell(WriteQueue::Notices notices) {
  for (auto& notice : notices) deliver(notice.done, std::move(notice.result));
}

void ModbusBus::read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                     ReadHandler done) {
  {
    std::lock_guard lock(mutex_);
    reads_.push_back(PendingRead{unit, kind, address, count, std::move(done)});
  }
  wake_.notify_all();
}

template <typename Result>
void ModbusBus::deliver(const std::function<void(const Result&)>& handler, Result result) {
  if (!handler) return;
  asio::post(logic_, [handler, result = std::move(result)] { handler(result); });
}

std::string ModbusBus::endpoint() const {
  return settings_.rtu ? settings_.device : settings_.host + ":" + std::to_string(settings_.port);
}

void ModbusBus::pace() {
  // Runs on the bus's own thread: the quiet time a slow serial device needs between frames.
  if (settings_.frame_delay.count() > 0) std::this_thread::sleep_for(settings_.frame_delay);
}

bool ModbusBus::connect(std::string& last_error) {
  ModbusStatus status = context_->connect();
  if (!status.ok()) {
    std::string error = context_->describe(status.error);
    if (error != last_error) {
      spdlog::warn("bus {}: cannot connect to {}: {}; retrying", settings_.id, endpoint(), error);
      last_error = error;
    }
    return false;
  }
  last_error.clear();
  connected_ = true;
  consecutive_timeouts_ = 0;
  consecutive_out_of_step_ = 0;
  // A new connection tries every unit afresh, each with the bus's timeout to begin with.
  units_.clear();
  context_timeout_ = settings_.response_timeout;
  for (auto& poll : polls_) poll.due = Clock::now();
  // Work queued before the link came back was meant for the old connection; the drivers
  // rebuild their state from the link-up event instead of a late replay.
  std::vector<WriteQueue::Pending> stale_writes;
  {
    std::lock_guard lock(mutex_);
    stale_writes = writes_.take_writes();
    // A held value still holds on the new connection: it is written first.
    writes_.rewrite_holds();
  }
  for (auto& write : stale_writes) {
    deliver(write.done, WriteResult{false, "dropped: queued before reconnect"});
  }
  announce_link(true, {});
  return true;
}

void ModbusBus::disconnect(const std::string& why) {
  if (!connected_) return;
  context_->close();
  connected_ = false;
  announce_link(false, why);
}

void ModbusBus::announce_link(bool connected, const std::string& detail) {
  for (const auto& handler : link_handlers_) {
    asio::post(logic_, [handler, connected, detail] { handler(connected, detail); });
  }
}

void ModbusBus::note_failure(const ModbusStatus& status) {
  if (status.failure == ModbusFailure::timeout) {
    context_->flush();
    if (++consecutive_timeouts_ >= kTimeoutsBeforeReconnect) {
      disconnect("no answer for " + std::to_string(consecutive_timeouts_) + " requests");
    }
  } else if (status.failure == ModbusFailure::out_of_step) {
    // An answer to another request (a late answer to one that timed out, as after a stall of
    // the gateway): the stream is out of step, and would stay so, every answer one behind. Drop
    // what is buffered; if it stays out of step, start a fresh connection.
    context_->flush();
    if (++consecutive_out_of_step_ >= kTimeoutsBeforeReconnect) {
      disconnect("answers out of step with the requests " +
                 std::to_string(consecutive_out_of_step_) + " times (" +
                 context_->describe(status.error) + ")");
    }
  } else if (status.failure == ModbusFailure::link) {
    disconnect(context_->describe(status.error));
  } else if (status.failure == ModbusFailure::garbled) {
    // The rest of a garbled answer must not be read as the next one's start.
    context_->flush();
    ++garbled_;
    auto now = Clock::now();
    if (now - garbled_said_ >= std::chrono::seconds(10)) {
      spdlog::warn(
          "bus {}: {} answer(s) garbled (bad CRC) on {}: check that the bus's baud rate, parity "
          "and stop bits match the units' settings, and the line's wiring and termination "
          "(docs/hardware.md)",
          settings_.id, garbled_, endpoint());
      garbled_ = 0;
      garbled_said_ = now;
    }
  }
}

std::string ModbusBus::failure_text(const ModbusStatus& status) const {
  if (status.failure == ModbusFailure::garbled) {
    return "answer garbled (bad CRC): check the bus's baud rate and parity";
  }
  return context_->describe(status.error);
}

std::optional<std::string> ModbusBus::skip_or_prepare(int unit) {
  if (std::find(silent_units_.begin(), silent_units_.end(), unit) != silent_units_.end()) {
    return "unit did not answer this cycle";
  }
  auto it = units_.find(unit);
  if (it != units_.end() && it->second.backoff.count() > 0) {
    auto wait = it->second.retry_at - Clock::now();
    if (wait > Clock::duration::zero()) {
      return "unit " + std::to_string(unit) + " isolated: it did not answer; tried again in " +
             std::to_string(std::chrono::ceil<std::chrono::milliseconds>(wait).count()) + " ms";
    }
  }
  auto own = settings_.unit_timeouts.find(unit);
  auto timeout = own != settings_.unit_timeouts.end() ? own->second : settings_.response_timeout;
  if (timeout != context_timeout_) {
    context_->set_response_timeout(timeout);
    context_timeout_ = timeout;
  }
  return std::nullopt;
}

void ModbusBus::unit_answered(int unit) {
  consecutive_timeouts_ = 0;
  consecutive_out_of_step_ = 0;
  auto it = units_.find(unit);
  if (it == units_.end()) return;
  if (it->second.backoff.count() > 0) {
    spdlog::info("bus {}: unit {} answers again; polled as before", settings_.id, unit);
  }
  units_.erase(it);
}

void ModbusBus::unit_timed_out(int unit) {
  silent_units_.push_back(unit);
  UnitState& state = units_[unit];
  ++state.timeouts;
  if (settings_.never_isolated.contains(unit)) {
    // Tried every cycle, at the cost of one timeout each (a safety device: its loss trips).
  } else if (state.backoff.count() > 0) {
    // Its try after the backoff went unanswered too: wait longer before the next.
    state.backoff = std::min<std::chrono::milliseconds>(state.backoff * 2, kMaxIsolation);
  } else if (state.timeouts >= kTimeoutsBeforeIsolating) {
    state.backoff = kFirstIsolation;
    spdlog::warn(
        "bus {}: unit {} did not answer {} requests in a row; isolated: its requests fail at "
        "once and one is tried after {} ms, up to every {} ms, while the other units keep "
        "their polls",
        settings_.id, unit, state.timeouts, kFirstIsolation.count(), kMaxIsolation.count());
  }
  if (state.backoff.count() > 0) state.retry_at = Clock::now() + state.backoff;
  // The link is started afresh only when no unit answers: every polled unit silent (isolated,
  // or a unit never isolated that missed as many answers).
  bool any_answering = false;
  for (const auto& poll : polls_) {
    auto found = units_.find(poll.unit);
    bool silent = found != units_.end() && (found->second.backoff.count() > 0 ||
                                            found->second.timeouts >= kTimeoutsBeforeIsolating);
    any_answering = any_answering || !silent;
  }
  if (!polls_.empty() && !any_answering) {
    disconnect("no unit answers (each missed " + std::to_string(kTimeoutsBeforeIsolating) +
               " requests in a row)");
  }
}

ReadResult ModbusBus::do_read(int unit, RegisterKind kind, std::uint16_t address,
                              std::uint16_t count) {
  if (!connected_) return ReadResult{false, {}, "not connected"};
  if (auto why = skip_or_prepare(unit)) return ReadResult{false, {}, *why};
  std::vector<std::uint16_t> values;
  ModbusStatus status = context_->read(unit, kind, address, count, values);
  pace();
  if (!status.ok()) {
    std::string message = failure_text(status);
    if (status.failure == ModbusFailure::timeout) unit_timed_out(unit);
    note_failure(status);
    return ReadResult{false, {}, message};
  }
  unit_answered(unit);
  return ReadResult{true, std::move(values), {}};
}

WriteResult ModbusBus::do_write(const Key& key, const RegisterWrite& write) {
  if (!connected_) return WriteResult{false, "not connected"};
  if (auto why = skip_or_prepare(key.unit)) return WriteResult{false, *why};
  ModbusStatus status;
  if (write.coil) {
    status = context_->write_coil(key.unit, key.address, write.words[0] != 0);
  } else if (write.form == RegisterWrite::Form::values) {
    status = write.count == 1
                 ? context_->write(key.unit, key.address, write.words[0])
                 : context_->write_many(key.unit, key.address, {write.words.data(), write.count});
  } else if (write.mask_write) {
    status = context_->mask_write(key.unit, key.address, write.and_mask, write.or_mask);
  } else {
    // Read-modify-write on this thread: nothing sensoryd sends comes between the two.
    std::vector<std::uint16_t> current;
    status = context_->read(key.unit, RegisterKind::holding, key.address, 1, current);
    pace();
    if (status.ok()) status = context_->write(key.unit, key.address, write.apply(current[0]));
  }
  pace();
  if (!status.ok()) {
    std::string message = failure_text(status);
    if (status.failure == ModbusFailure::timeout) unit_timed_out(key.unit);
    note_failure(status);
    return WriteResult{false, message};
  }
  unit_answered(key.unit);
  return WriteResult{true, {}};
}

void ModbusBus::fail_queued(const std::string& why) {
  std::vector<WriteQueue::Pending> writes;
  std::vector<PendingRead> reads;
  {
    std::lock_guard lock(mutex_);
    writes = writes_.take_writes();
    reads.swap(reads_);
  }
  for (auto& write : writes) deliver(write.done, WriteResult{false, why});
  for (auto& read : reads) deliver(read.done, ReadResult{false, {}, why});
}

void ModbusBus::wait_before_retry(std::chrono::milliseconds backoff) {
  auto retry_at = Clock::now() + backoff;
  std::unique_lock lock(mutex_);
  while (!stopping_ && Clock::now() < retry_at) {
    wake_.wait_until(lock, std::min(retry_at, Clock::now() + 1s));
    mark_progress();
  }
}

void ModbusBus::send_held_values() {
  std::vector<std::pair<Key, RegisterWrite>> held;
  {
    std::lock_guard lock(mutex_);
    held = writes_.take_unsent_holds();
  }
  for (const auto& [key, value] : held) {
    bool written = do_write(key, value).ok;
    mark_progress();
    if (written) continue;
    std::lock_guard lock(mutex_);  // tried again before the next request
    writes_.hold_not_written(key, value);
  }
}

void ModbusBus::send_queued_writes() {
  send_held_values();
  std::vector<WriteQueue::Pending> writes;
  {
    std::lock_guard lock(mutex_);
    writes = writes_.take_writes();
  }
  for (auto& write : writes) {
    // A stop held while this batch goes out is written before the rest of it, and a value
    // taken into the batch before the hold is not sent after it.
    send_held_values();
    bool refused;
    {
      std::lock_guard lock(mutex_);
      refused = writes_.refused_by_hold(write.key, write.write);
    }
    if (refused) {
      deliver(write.done, WriteResult{false, WriteQueue::kRefusedByHold});
      continue;
    }
    deliver(write.done, do_write(write.key, write.write));
    mark_progress();
  }
}

void ModbusBus::serve_cycle() {
  std::vector<PendingRead> reads;
  {
    std::unique_lock lock(mutex_);
    auto next_due = Clock::now() + 1s;
    for (const auto& poll : polls_) next_due = std::min(next_due, poll.due);
    wake_.wait_until(lock, next_due,
                     [this] { return stopping_ || writes_.has_work() || !reads_.empty(); });
    if (stopping_) return;
    // Taken after the writes queued with them, so that a read queued after a write always
    // sees it done.
    reads.swap(reads_);
  }
  mark_progress();
  // A unit that did not answer costs at most one timeout per cycle: its other requests in this
  // cycle fail at once (skip_or_prepare), so the other units on the bus keep their rates.
  silent_units_.clear();
  send_queued_writes();
  for (auto& read : reads) {
    deliver(read.done, do_read(read.unit, read.kind, read.address, read.count));
    mark_progress();
  }
  auto now = Clock::now();
  for (auto& poll : polls_) {
    if (!connected_ || poll.due > now) continue;
    // A stop queued (or held by a reflex) while this cycle ran goes out before the next poll.
    send_queued_writes();
    ReadResult result = do_read(poll.unit, poll.kind, poll.address, poll.count);
    if (poll.reflex) poll.reflex(result);
    deliver(poll.handler, std::move(result));
    mark_progress();
    // Re-armed from the previous due time so polls keep their rate; never bunch up after a stall.
    poll.due += poll.period;
    if (poll.due < now) poll.due = now + poll.period;
  }
  // A stop held by the last poll's reflex is written now, not after the next wait.
  send_queued_writes();
}

void ModbusBus::run() {
  auto backoff = std::chrono::milliseconds{kFirstBackoff};
  std::string last_connect_error;
  std::optional<Clock::time_point> connected_at;
  auto back_off = [&] {
    // Nothing can be sent: fail queued work now rather than send it late.
    fail_queued("not connected");
    wait_before_retry(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  };
  while (true) {
    mark_progress();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    if (!connected_) {
      if (connected_at) {
        // A link that lived a while is retried at once; one that fell as soon as it came up
        // (a device that accepts and then resets) counts as a failed attempt, so that it is
        // retried after the backoff instead of in a tight loop of link-up and link-down.
        if (Clock::now() - *connected_at < kFirstBackoff) {
          back_off();
        } else {
          backoff = kFirstBackoff;
        }
        connected_at.reset();
        continue;
      }
      if (!connect(last_connect_error)) {
        back_off();
        continue;
      }
      connected_at = Clock::now();
    }
    serve_cycle();
  }
  // Sends what was queued last, so that a shutdown's final safe outputs reach the device.
  std::vector<WriteQueue::Pending> last_writes;
  {
    std::lock_guard lock(mutex_);
    last_writes = writes_.take_writes();
  }
  for (auto& write : last_writes) deliver(write.done, do_write(write.key, write.write));
  disconnect("bus stopped");
  {
    std::lock_guard lock(mutex_);
    worker_done_ = true;
  }
  wake_.notify_all();
}

}  // namespace sensoryd::devices
