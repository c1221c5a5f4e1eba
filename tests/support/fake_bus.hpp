// A register bus for unit tests of one driver: keeps register state per unit, queues every
// operation until the test calls deliver(), and can drop the link or fail requests. Its writes
// follow the real bus's rules, from the same WriteQueue.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "devices/transport/register_bus.hpp"
#include "devices/transport/room_bus.hpp"
#include "devices/transport/write_queue.hpp"

namespace sensoryd::test {

class FakeBus : public devices::RoomBus {
 public:
  // As the room's owner sees it (App's BusFactory): started, stopped, its worker stuck or not.
  void start() override { started = true; }
  void stop() override { stopped = true; }
  bool stuck(std::chrono::steady_clock::time_point) const override { return worker_stuck; }
  bool started = false;
  bool stopped = false;
  bool worker_stuck = false;

  struct Write {
    int unit;
    std::uint16_t address;
    std::uint16_t value;
  };

  void on_link_change(LinkHandler handler) override { links_.push_back(std::move(handler)); }
  using devices::RegisterBus::add_poll;
  void add_poll(int unit, devices::RegisterKind kind, std::uint16_t address, std::uint16_t count,
                std::chrono::milliseconds, ReadHandler handler, Reflex reflex) override {
    polls_.push_back({unit, kind, address, count, std::move(handler), std::move(reflex)});
  }
  using devices::RegisterBus::hold;
  using devices::RegisterBus::release;
  using devices::RegisterBus::write;
  // Writes and holds follow the real bus's rules (devices::WriteQueue): latest value per
  // register, bits merged, holds first and never undone.
  void write(int unit, std::uint16_t address, const devices::RegisterWrite& write,
             WriteHandler done) override {
    told(writes_.write({unit, write.coil, address}, write, std::move(done)));
  }
  void read(int unit, devices::RegisterKind kind, std::uint16_t address, std::uint16_t count,
            ReadHandler done) override {
    reads_.push_back([=, this] { done(do_read(unit, kind, address, count)); });
  }
  void hold(int unit, std::uint16_t address, const devices::RegisterWrite& write) override {
    told(writes_.hold({unit, write.coil, address}, write));
  }
  void release(int unit, std::uint16_t address, bool coil) override {
    writes_.release({unit, coil, address});
  }
  bool held(int unit, std::uint16_t address, bool coil = false) const {
    return writes_.held({unit, coil, address});
  }

  // Runs what waits, as the bus thread would: what its owners must hear (a write superseded
  // or refused), held values, queued writes in the order asked (each after any hold put on
  // meanwhile), then reads; again while handlers queue more.
  void deliver() {
    while (!notices_.empty() || writes_.has_work() || !reads_.empty()) {
      auto notices = std::move(notices_);
      notices_.clear();
      for (auto& notice : notices) {
        if (notice.done) notice.done(notice.result);
      }
      send_holds();
      for (auto& pending : writes_.take_writes()) {
        send_holds();
        devices::WriteResult result{false, devices::WriteQueue::kRefusedByHold};
        if (!writes_.refused_by_hold(pending.key, pending.write)) {
          bool ok = up_ && !fail_requests && silent_units.count(pending.key.unit) == 0;
          if (ok) store(pending.key.unit, pending.key.address, pending.write);
          result = {ok, ok ? "" : "injected failure"};
        }
        if (pending.done) pending.done(result);
      }
      auto reads = std::move(reads_);
      reads_.clear();
      for (auto& read : reads) read();
    }
  }
  // Runs every registered poll once and delivers the results.
  void poll() {
    deliver();
    for (auto& p : polls_) {
      auto result = do_read(p.unit, p.kind, p.address, p.count);
      if (p.reflex) p.reflex(result);
      p.handler(result);
    }
  }
  // Reads every poll and runs only its reflex, as the bus thread does while the logic thread
  // is busy elsewhere: the results are not delivered.
  void poll_reflexes_only() {
    for (auto& p : polls_) {
      if (p.reflex) p.reflex(do_read(p.unit, p.kind, p.address, p.count));
    }
  }
  void link(bool up) {
    up_ = up;
    if (up) writes_.rewrite_holds();  // as the real bus: a hold is written on the new link
    for (auto& handler : links_) handler(up, up ? "" : "injected disconnect");
  }

  std::map<std::pair<int, std::uint16_t>, std::uint16_t> holding;
  std::map<std::pair<int, std::uint16_t>, std::uint16_t> input;
  std::map<std::pair<int, std::uint16_t>, std::uint16_t> discrete;  // 0 or 1
  std::map<std::pair<int, std::uint16_t>, std::uint16_t> coils;     // 0 or 1
  std::vector<Write> writes;
  std::set<std::pair<int, std::uint16_t>> ignored;  // writes accepted but not stored
  bool fail_requests = false;
  std::set<int> silent_units;  // requests to these units fail: they never arrive

 private:
  struct Poll {
    int unit;
    devices::RegisterKind kind;
    std::uint16_t address;
    std::uint16_t count;
    ReadHandler handler;
    Reflex reflex;
  };
  devices::ReadResult do_read(int unit, devices::RegisterKind kind, std::uint16_t address,
                              std::uint16_t count) {
    if (!up_ || fail_requests || silent_units.count(unit) != 0) {
      return {false, {}, "injected failure"};
    }
    auto& bank = kind == devices::RegisterKind::holding    ? holding
                 : kind == devices::RegisterKind::discrete ? discrete
                 : kind == devices::RegisterKind::coil     ? coils
                                                           : input;
    devices::ReadResult result{true, {}, {}};
    for (std::uint16_t i = 0; i < count; ++i) {
      result.values.push_back(bank[{unit, static_cast<std::uint16_t>(address + i)}]);
    }
    return result;
  }

  // What the device holds after `write`, each register written logged as one Write.
  void store(int unit, std::uint16_t address, const devices::RegisterWrite& write) {
    if (write.coil) {
      if (ignored.count({unit, address}) == 0) coils[{unit, address}] = write.words[0];
      return;
    }
    for (std::uint16_t i = 0; i < write.count; ++i) {
      auto at = static_cast<std::uint16_t>(address + i);
      std::uint16_t value = write.form == devices::RegisterWrite::Form::values
                                ? write.words[i]
                                : write.apply(holding[{unit, at}]);
      if (ignored.count({unit, at}) == 0) holding[{unit, at}] = value;
      writes.push_back({unit, at, value});
    }
  }

  void told(devices::WriteQueue::Notices notices) {
    for (auto& notice : notices) notices_.push_back(std::move(notice));
  }
  void send_holds() {
    for (const auto& [key, value] : writes_.take_unsent_holds()) {
      if (up_) store(key.unit, key.address, value);
    }
  }

  std::vector<LinkHandler> links_;
  std::vector<Poll> polls_;
  devices::WriteQueue writes_;
  std::vector<devices::WriteQueue::Notice> notices_;
  std::vector<std::function<void()>> reads_;
  bool up_ = false;
};

}  // namespace sensoryd::test
