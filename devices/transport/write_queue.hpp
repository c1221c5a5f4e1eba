// The rules of a bus's writes, apart from any thread or transport (ModbusBus and the tests'
// FakeBus both use them): the latest value per register wins; writes to other bits of one
// register merge into one write; writes go out in the order they were last asked for; a safety
// hold goes before everything, is written again after a reconnect, and no other value of a held
// register is sent. Not thread-safe: its owner locks. Handlers are never called here: what must
// be told to whom is returned, for the owner to deliver where its handlers run.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

class WriteQueue {
 public:
  using WriteHandler = RegisterBus::WriteHandler;

  struct Key {
    int unit;
    bool coil;
    std::uint16_t address;
    auto operator<=>(const Key&) const = default;
  };
  struct Pending {
    Key key;
    RegisterWrite write;
    WriteHandler done;
  };
  // A result its owner's handler must hear (a superseded or refused write).
  struct Notice {
    WriteHandler done;
    WriteResult result;
  };
  using Notices = std::vector<Notice>;

  static constexpr const char* kRefusedByHold = "refused: the register is held by a safety stop";

  // Queues `write` to `key`: refused when a hold there would be undone; otherwise it takes the
  // place of a queued value it covers, or merges with one touching other bits.
  Notices write(Key key, const RegisterWrite& write, WriteHandler done);
  // Holds `key` at `write` until released: written before anything queued, and a queued value
  // that would undo it is refused. Holding the same value again changes nothing.
  Notices hold(Key key, const RegisterWrite& write);
  void release(Key key) { held_.erase(key); }
  bool held(Key key) const { return held_.count(key) != 0; }
  // Whether `write` would undo a hold on `key` (a hold put on after it was taken).
  bool refused_by_hold(Key key, const RegisterWrite& write) const;

  // The held values not written yet, now counted as written.
  std::vector<std::pair<Key, RegisterWrite>> take_unsent_holds();
  // Writing a held value failed: it goes out again, if still held at that value.
  void hold_not_written(Key key, const RegisterWrite& write);
  // The link came back: every hold is written again on the new connection.
  void rewrite_holds();

  // Every queued write, in the order last asked for; the queue is empty after.
  std::vector<Pending> take_writes();
  // Whether anything waits: a queued write or an unwritten hold.
  bool has_work() const { return holds_unsent_ || !writes_.empty(); }
  bool holds_unsent() const { return holds_unsent_; }

 private:
  struct Queued {
    RegisterWrite write;
    WriteHandler done;
    std::uint64_t sequence;  // when its latest value was queued
  };
  struct Held {
    RegisterWrite write;
    bool written;  // since it was held, or since the link came up
  };

  std::map<Key, Queued> writes_;
  std::map<Key, Held> held_;
  bool holds_unsent_ = false;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace sensoryd::devices
