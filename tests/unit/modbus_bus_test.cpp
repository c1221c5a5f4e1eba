// ModbusBus's worker logic in-process, on a scripted ModbusContext: latest-wins writes in the
// order asked, no replay after a reconnect, a silent unit costing one timeout per cycle, and
// when the link is dropped. Results arrive on the test's io_context, as on the daemon's.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <modbus/modbus.h>

#include "devices/transport/modbus_bus.hpp"

namespace sensoryd::devices {
namespace {

using namespace std::chrono_literals;

// A context whose answers the test sets, recording every request it was asked to make.
class ScriptedContext final : public ModbusContext {
 public:
  struct Request {
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
    requests_.push_back({"read", unit, address, 0, timeout_});
    if (auto it = unit_errors_.find(unit); it != unit_errors_.end()) return {it->second};
    values.assign(count, static_cast<std::uint16_t>(address));
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

TEST(ModbusBusWorker, WritesAreLatestWinsAndGoOutInTheOrderOfEachRegistersLatestWrite) {
  BusRig rig;
  rig.context->hold_writes_to(100);
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return rig.links == std::vector<bool>{true}; }));
  rig.bus->write(1, 100, 1);
  ASSERT_TRUE(rig.context->wait_until_held());  // the worker is busy: the next ones queue

  std::vector<std::string> first, second;
  rig.bus->write(1, 7, 10);
  rig.bus->write(1, 3, 30, [&](const WriteResult& r) { first.push_back(r.ok ? "ok" : r.error); });
  rig.bus->write(1, 3, 31, [&](const WriteResult& r) { second.push_back(r.ok ? "ok" : r.error); });
  rig.context->release();
  ASSERT_TRUE(rig.run_until([&] { return !second.empty(); }));

  auto writes = rig.writes();
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[1].address, 7);  // asked first, so sent first, though its address is higher
  EXPECT_EQ(writes[1].value, 10);
  EXPECT_EQ(writes[2].address, 3);  // once, with its latest value
  EXPECT_EQ(writes[2].value, 31);
  EXPECT_EQ(first, std::vector<std::string>{"superseded by a newer value"});
  EXPECT_EQ(second, std::vector<std::string>{"ok"});
}

TEST(ModbusBusWorker, WorkQueuedWhileTheLinkIsDownFailsAndIsNeverSentLater) {
  BusRig rig;
  rig.context->fail_connects({{ModbusFailure::link, ECONNREFUSED}});
  std::vector<std::string> results;
  rig.bus->start();
  rig.bus->write(1, 5, 42, [&](const WriteResult& r) { results.push_back(r.ok ? "ok" : r.error); });
  ASSERT_TRUE(rig.run_until([&] { return !results.empty() && !rig.links.empty(); }));

  EXPECT_EQ(rig.context->connects(), 2);  // refused once, then connected after the backoff
  EXPECT_TRUE(results[0] == "not connected" || results[0] == "dropped: queued before reconnect")
      << results[0];
  EXPECT_TRUE(rig.writes().empty());  // the stale value never reached the device
}

TEST(ModbusBusWorker, ASilentUnitIsIsolatedAfterTwoMissedAnswersAndTheOtherUnitsKeepTheirPolls) {
  // A dead amplifier (unit 2, waiting 20 ms of its own) beside the E-stop's unit (1).
  BusRig rig({{2, 20ms}});
  rig.context->unit_fails(2, {ModbusFailure::timeout, ETIMEDOUT});
  std::vector<std::string> unit2_errors;
  int unit2_ok = 0;
  int unit1_ok = 0;
  rig.bus->add_poll(2, RegisterKind::input, 0, 2, 20ms, [&](const ReadResult& r) {
    if (r.ok) ++unit2_ok;
  });
  rig.bus->add_poll(2, RegisterKind::input, 10, 2, 20ms, [&](const ReadResult& r) {
    if (!r.ok) unit2_errors.push_back(r.error);
  });
  rig.bus->add_poll(1, RegisterKind::input, 0, 2, 20ms, [&](const ReadResult& r) {
    if (r.ok && r.values.size() == 2) ++unit1_ok;
  });
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return unit1_ok >= 20; }));  // ~0.4 s: before any retry

  int to_unit2 = 0;
  for (const auto& request : rig.context->requests()) {
    if (request.unit != 2) {
      EXPECT_EQ(request.timeout, 50ms) << "unit " << request.unit << ": the bus's timeout";
      continue;
    }
    ++to_unit2;
    EXPECT_EQ(request.timeout, 20ms) << "the unit's own timeout";
    EXPECT_NE(request.address, 10)
        << "the silent unit's second poll went out in a cycle where its first timed out";
  }
  EXPECT_EQ(to_unit2, 2) << "isolated after two missed answers: nothing more is sent to it";
  ASSERT_FALSE(unit2_errors.empty());
  EXPECT_EQ(unit2_errors.front(), "unit did not answer this cycle");
  EXPECT_EQ(unit2_errors.back().rfind("unit 2 isolated: it did not answer; tried again in ", 0), 0u)
      << unit2_errors.back();
  // The other unit's answers keep the link: it is not started afresh for one dead unit.
  EXPECT_EQ(rig.links, std::vector<bool>{true});

  // Back: the try after the backoff (1 s) is answered, and it is polled as before.
  rig.context->unit_answers(2);
  ASSERT_TRUE(rig.run_until([&] { return unit2_ok >= 3; }));
  EXPECT_EQ(rig.links, std::vector<bool>{true});
}

TEST(ModbusBusWorker, ASafetyDevicesUnitIsNeverIsolatedSoAGlitchRecoversAtTheNextPoll) {
  BusRig rig({}, {3});  // unit 3: the E-stop's I/O module
  rig.context->unit_fails(3, {ModbusFailure::timeout, ETIMEDOUT});
  std::vector<std::string> unit3_errors;
  int unit3_ok = 0;
  int unit1_ok = 0;
  rig.bus->add_poll(3, RegisterKind::discrete, 0, 1, 10ms, [&](const ReadResult& r) {
    if (r.ok) {
      ++unit3_ok;
    } else {
      unit3_errors.push_back(r.error);
    }
  });
  rig.bus->add_poll(1, RegisterKind::input, 0, 1, 10ms, [&](const ReadResult& r) {
    if (r.ok) ++unit1_ok;
  });
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return unit3_errors.size() >= 4 && unit1_ok >= 4; }));
  // Every missed poll was asked of it: never skipped by an isolation.
  for (const auto& error : unit3_errors) {
    EXPECT_EQ(error.find("isolated"), std::string::npos) << error;
  }
  // Back: its next poll is answered.
  rig.context->unit_answers(3);
  ASSERT_TRUE(rig.run_until([&] { return unit3_ok >= 1; }));
  EXPECT_EQ(rig.links, std::vector<bool>{true});  // unit 1 answered all along
}

TEST(ModbusBusWorker, WhenNoUnitAnswersTheLinkIsStartedAfresh) {
  BusRig rig;
  rig.context->unit_fails(1, {ModbusFailure::timeout, ETIMEDOUT});
  rig.bus->add_poll(1, RegisterKind::holding, 0, 1, 10ms, [](const ReadResult&) {});
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return rig.links.size() >= 3; }));
  EXPECT_EQ(rig.links[0], true);
  EXPECT_EQ(rig.links[1], false);
  EXPECT_EQ(rig.link_details[1], "no unit answers (each missed 2 requests in a row)");
  EXPECT_EQ(rig.links[2], true);
}

TEST(ModbusBusWorker, WritesToAnIsolatedUnitFailAtOnceWithoutARequest) {
  BusRig rig;
  rig.context->unit_fails(5, {ModbusFailure::timeout, ETIMEDOUT});
  int unit1_ok = 0;
  rig.bus->add_poll(1, RegisterKind::input, 0, 1, 10ms, [&](const ReadResult& r) {
    if (r.ok) ++unit1_ok;
  });
  rig.bus->add_poll(5, RegisterKind::holding, 0, 1, 10ms, [](const ReadResult&) {});
  rig.bus->start();
  // Isolated by its polls; then a volume write per tick, as a driver sends while it is lost.
  ASSERT_TRUE(rig.run_until([&] { return unit1_ok >= 5; }));
  std::vector<std::string> results;
  for (int i = 0; i < 5; ++i) {
    rig.bus->write(5, 7, static_cast<std::uint16_t>(i),
                   [&](const WriteResult& r) { results.push_back(r.ok ? "ok" : r.error); });
    ASSERT_TRUE(rig.run_until([&] { return results.size() == static_cast<std::size_t>(i + 1); }));
  }
  for (const auto& r : results) EXPECT_EQ(r.rfind("unit 5 isolated", 0), 0u) << r;
  EXPECT_TRUE(rig.writes().empty()) << "no write reached the isolated unit";
  EXPECT_EQ(rig.links, std::vector<bool>{true});
}

TEST(ModbusBusWorker, AnswersOutOfStepAreFlushedAndThreeInARowStartAFreshConnection) {
  // After a stall, a late answer to a request that timed out arrives in place of the next one's:
  // libmodbus says EMBBADDATA, and without a fresh start every answer would stay one behind.
  BusRig rig;
  rig.context->unit_fails(1, {ModbusFailure::out_of_step, EMBBADDATA});
  rig.bus->add_poll(1, RegisterKind::holding, 0, 1, 10ms, [](const ReadResult&) {});
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return rig.links.size() >= 3; }));
  EXPECT_EQ(rig.links[1], false);
  EXPECT_EQ(rig.link_details[1].rfind("answers out of step with the requests 3 times (", 0), 0u)
      << rig.link_details[1];
  EXPECT_EQ(rig.links[2], true);
  EXPECT_GE(rig.context->flushes(), 3);
}

TEST(ModbusBusWorker, GarbledAnswersAreFlushedAndToldAsSuchNotAsTimeoutsAndKeepTheLink) {
  // A serial line at the wrong baud rate or parity: answers come, but their CRC fails.
  BusRig rig;
  rig.context->unit_fails(1, {ModbusFailure::garbled, EMBBADCRC});
  std::vector<std::string> failures;
  rig.bus->add_poll(1, RegisterKind::holding, 0, 1, 10ms, [&](const ReadResult& result) {
    if (!result.ok) failures.push_back(result.error);
  });
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return failures.size() >= 5; }));
  EXPECT_EQ(failures.front(), "answer garbled (bad CRC): check the bus's baud rate and parity");
  EXPECT_GE(rig.context->flushes(), 5);
  // Not a dead unit: never isolated, so every poll goes out; and the line stays up.
  EXPECT_EQ(rig.links.size(), 1u);
  EXPECT_EQ(failures.back(), failures.front());
}

TEST(ModbusBusWorker, ALinkErrorDropsTheLinkAtOnce) {
  BusRig rig;
  rig.context->unit_fails(1, {ModbusFailure::link, ECONNRESET});
  rig.context->refuse_reconnects();
  std::optional<std::size_t> requests_when_dropped;
  rig.bus->on_link_change([&](bool up, const std::string&) {
    if (!up) requests_when_dropped = rig.context->requests().size();
  });
  rig.bus->add_poll(1, RegisterKind::holding, 0, 1, 10ms, [](const ReadResult&) {});
  rig.bus->start();
  // Both link handlers must have run: on a slow machine (the arm64 build emulated) a slice of
  // the logic thread may end between the rig's and this test's.
  ASSERT_TRUE(rig.run_until([&] { return rig.links.size() >= 2 && requests_when_dropped; }));
  EXPECT_EQ(rig.links[1], false);
  EXPECT_EQ(rig.link_details[1], std::strerror(ECONNRESET));
  EXPECT_EQ(*requests_when_dropped, 1u);  // one failed request was enough
}

TEST(ModbusBusWorker, ALinkThatFallsAsSoonAsItComesUpIsRetriedAfterTheBackoffNotAtOnce) {
  BusRig rig;
  rig.context->unit_fails(1,
                          {ModbusFailure::link, ECONNRESET});  // accepts, then resets every request
  rig.bus->add_poll(1, RegisterKind::holding, 0, 1, 10ms, [](const ReadResult&) {});
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return rig.context->connect_times().size() >= 3; }));
  auto times = rig.context->connect_times();
  // Waited out (500 ms, then 1 s), not retried in a loop: the gaps can only be longer.
  EXPECT_GE(times[1] - times[0], 500ms);
  EXPECT_GE(times[2] - times[1], 1000ms);
}

TEST(ModbusBusWorker, StopUnblocksARequestStuckInTheTransport) {
  BusRig rig;
  rig.context->hold_writes_to(9);  // never released: a device that swallowed the request
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return !rig.links.empty(); }));
  rig.bus->write(1, 9, 1);
  ASSERT_TRUE(rig.context->wait_until_held());
  rig.bus->stop();  // returns only once the worker has ended
  EXPECT_TRUE(rig.context->aborted());
}

}  // namespace
}  // namespace sensoryd::devices

namespace sensoryd::devices {
namespace {

TEST(ModbusBusWorker, AReflexHoldIsWrittenBeforeTheNextPollOfTheSameCycle) {
  BusRig rig;
  std::atomic<int> reflexes{0};
  // The E-stop's poll first; two more polls are due in the same cycle.
  rig.bus->add_poll(
      3, RegisterKind::discrete, 0, 1, 1000ms, [](const ReadResult&) {},
      [&](const ReadResult& r) {
        if (r.ok && reflexes++ == 0) rig.bus->hold(1, 0, 0);
      });
  rig.bus->add_poll(1, RegisterKind::input, 10, 1, 1000ms, [](const ReadResult&) {});
  rig.bus->add_poll(2, RegisterKind::input, 20, 1, 1000ms, [](const ReadResult&) {});
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return rig.context->requests().size() >= 4; }));
  auto requests = rig.context->requests();
  EXPECT_EQ(requests[0].op, "read");
  EXPECT_EQ(requests[0].unit, 3);
  EXPECT_EQ(requests[1].op, "write");  // the stop, before the polls still due in this cycle
  EXPECT_EQ(requests[1].unit, 1);
  EXPECT_EQ(requests[1].address, 0);
  EXPECT_EQ(requests[1].value, 0);
  EXPECT_EQ(requests[2].unit, 1);
  EXPECT_EQ(requests[3].unit, 2);
}

TEST(ModbusBusWorker, AHeldRegisterRefusesOtherValuesUntilReleased) {
  BusRig rig;
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return rig.links == std::vector<bool>{true}; }));
  std::vector<std::string> results;
  auto note = [&](const WriteResult& r) { results.push_back(r.ok ? "ok" : r.error); };
  rig.bus->hold(1, 0, 0);
  rig.bus->write(1, 0, 1, note);  // enabling, from a logic that has not seen the trip yet
  rig.bus->write(1, 0, 0, note);  // the held value itself is fine
  ASSERT_TRUE(rig.run_until([&] { return results.size() == 2; }));
  EXPECT_EQ(results[0], "refused: the register is held by a safety stop");
  EXPECT_EQ(results[1], "ok");
  rig.bus->release(1, 0);
  rig.bus->write(1, 0, 1, note);
  ASSERT_TRUE(rig.run_until([&] { return results.size() == 3; }));
  EXPECT_EQ(results[2], "ok");
  auto writes = rig.writes();
  ASSERT_GE(writes.size(), 2u);
  EXPECT_EQ(writes.front().value, 0);  // the hold, first
  EXPECT_EQ(writes.back().value, 1);   // the enable, only after the release
}

}  // namespace
}  // namespace sensoryd::devices

namespace sensoryd::devices {
namespace {

// Writes as a configured register map makes them: bits of a control word, 32-bit values, coils.
class ModbusBusWrites : public ::testing::Test {
 protected:
  void SetUp() override {
    rig.bus->start();
    ASSERT_TRUE(rig.run_until([&] { return rig.links == std::vector<bool>{true}; }));
  }
  RegisterBus::WriteHandler note() {
    return [this](const WriteResult& r) { results.push_back(r.ok ? "ok" : r.error); };
  }
  std::vector<ScriptedContext::Request> requests_of(const std::string& op) const {
    std::vector<ScriptedContext::Request> out;
    for (const auto& r : rig.context->requests()) {
      if (r.op == op) out.push_back(r);
    }
    return out;
  }

  BusRig rig;
  std::vector<std::string> results;
};

TEST_F(ModbusBusWrites, BitsOfARegisterAreReadModifiedAndWrittenKeepingTheOthers) {
  // The scripted device holds its address in every register: 10 is 0b1010 at address 10.
  rig.bus->write(1, 10, RegisterWrite::bits(0xFFFC, 0x0001, false), note());
  ASSERT_TRUE(rig.run_until([&] { return results.size() == 1; }));
  EXPECT_EQ(results[0], "ok");
  auto requests = rig.context->requests();
  auto write =
      std::find_if(requests.begin(), requests.end(), [](const auto& r) { return r.op == "write"; });
  ASSERT_NE(write, requests.end());
  ASSERT_NE(write, requests.begin());
  EXPECT_EQ((write - 1)->op, "read");  // read just before, nothing in between
  EXPECT_EQ((write - 1)->address, 10);
  EXPECT_EQ(write->value, 0b1001);  // bits 1-0 set to 01, bit 3 kept
}

TEST_F(ModbusBusWrites, TwoSwitchesOfOneRegisterQueuedTogetherGoOutAsOneMaskWrite) {
  rig.context->hold_writes_to(99);  // keeps the worker busy while both are queued
  rig.bus->write(1, 99, 1);
  ASSERT_TRUE(rig.context->wait_until_held());
  rig.bus->write(1, 10, RegisterWrite::bits(0xFFFE, 0x0001, true), note());  // enable on
  rig.bus->write(1, 10, RegisterWrite::bits(0xFFFD, 0x0002, true), note());  // run on
  rig.context->release();
  ASSERT_TRUE(rig.run_until([&] { return results.size() == 2; }));
  EXPECT_EQ(results, (std::vector<std::string>{"ok", "ok"}));  // both owners hear of it
  auto masks = requests_of("mask");
  ASSERT_EQ(masks.size(), 1u);
  EXPECT_EQ(masks[0].value, 0x0003);  // the bits it sets
  EXPECT_EQ(requests_of("mask-or")[0].value, 0x0003);
}

TEST_F(ModbusBusWrites, A32BitValueIsOneMultipleWriteAndACoilIsWrittenWithFc05) {
  rig.bus->write(1, 12, RegisterWrite::pair(0x0001, 0x1170), note());
  rig.bus->write(1, 4, RegisterWrite::coil_value(true), note());
  ASSERT_TRUE(rig.run_until([&] { return results.size() == 2; }));
  auto words = requests_of("write16");
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].address, 12);
  EXPECT_EQ(words[0].value, 0x0001);
  EXPECT_EQ(words[1].address, 13);
  EXPECT_EQ(words[1].value, 0x1170);
  auto coils = requests_of("coil");
  ASSERT_EQ(coils.size(), 1u);
  EXPECT_EQ(coils[0].address, 4);
  EXPECT_EQ(coils[0].value, 1);
  EXPECT_TRUE(requests_of("write").empty());  // never split into single writes
}

TEST_F(ModbusBusWrites, AHeldStopOfSomeBitsRefusesOnlyWritesThatWouldChangeThem) {
  rig.bus->hold(1, 10, RegisterWrite::bits(0xFFFC, 0x0000, true));  // enable and run held off
  std::string direction;
  std::string enable;
  rig.bus->write(1, 10, RegisterWrite::bits(0xFFEF, 0x0010, true),
                 [&](const WriteResult& r) { direction = r.ok ? "ok" : r.error; });
  rig.bus->write(1, 10, RegisterWrite::bits(0xFFFE, 0x0001, true),
                 [&](const WriteResult& r) { enable = r.ok ? "ok" : r.error; });
  ASSERT_TRUE(rig.run_until([&] { return !direction.empty() && !enable.empty(); }));
  EXPECT_EQ(direction, "ok");
  EXPECT_EQ(enable, "refused: the register is held by a safety stop");
  auto masks = requests_of("mask");
  ASSERT_GE(masks.size(), 2u);
  EXPECT_EQ(masks[0].value, 0x0003);  // the hold, first
  EXPECT_EQ(masks[1].value, 0x0010);
}

}  // namespace
}  // namespace sensoryd::devices
