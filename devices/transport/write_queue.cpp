#include "devices/transport/write_queue.hpp"

#include <algorithm>

namespace sensoryd::devices {

WriteQueue::Notices WriteQueue::write(Key key, const RegisterWrite& write, WriteHandler done) {
  Notices notices;
  if (refused_by_hold(key, write)) {
    notices.push_back({std::move(done), WriteResult{false, kRefusedByHold}});
    return notices;
  }
  auto [slot, fresh] = writes_.try_emplace(key);
  Queued& queued = slot->second;
  if (fresh) {
    queued = Queued{write, std::move(done), next_sequence_++};
  } else if ((write.touched() & queued.write.touched()) == queued.write.touched()) {
    // Superseded before it was sent: its owner is told, and will see the newer value land.
    notices.push_back({std::move(queued.done), WriteResult{false, "superseded by a newer value"}});
    queued = Queued{write, std::move(done), next_sequence_++};
  } else {
    // Other bits of the same register: both go out as one write, and both owners hear of it.
    queued.write = queued.write.then(write);
    queued.sequence = next_sequence_++;
    queued.done = [earlier = std::move(queued.done),
                   later = std::move(done)](const WriteResult& r) {
      if (earlier) earlier(r);
      if (later) later(r);
    };
  }
  return notices;
}

WriteQueue::Notices WriteQueue::hold(Key key, const RegisterWrite& write) {
  Notices notices;
  auto [held, added] = held_.try_emplace(key, Held{write, false});
  if (!added && held->second.write == write) return notices;  // already held there
  held->second = Held{write, false};
  holds_unsent_ = true;
  // A value queued earlier must not follow the held one.
  auto queued = writes_.find(key);
  if (queued != writes_.end() && !queued->second.write.keeps(write)) {
    notices.push_back({std::move(queued->second.done), WriteResult{false, kRefusedByHold}});
    writes_.erase(queued);
  }
  return notices;
}

bool WriteQueue::refused_by_hold(Key key, const RegisterWrite& write) const {
  auto held = held_.find(key);
  return held != held_.end() && !write.keeps(held->second.write);
}

std::vector<std::pair<WriteQueue::Key, RegisterWrite>> WriteQueue::take_unsent_holds() {
  std::vector<std::pair<Key, RegisterWrite>> unsent;
  if (!holds_unsent_) return unsent;
  for (auto& [key, held] : held_) {
    if (held.written) continue;
    unsent.emplace_back(key, held.write);
    held.written = true;
  }
  holds_unsent_ = false;
  return unsent;
}

void WriteQueue::hold_not_written(Key key, const RegisterWrite& write) {
  auto held = held_.find(key);
  if (held != held_.end() && held->second.write == write) {
    held->second.written = false;
    holds_unsent_ = true;
  }
}

void WriteQueue::rewrite_holds() {
  for (auto& [key, held] : held_) held.written = false;
  holds_unsent_ = !held_.empty();
}

std::vector<WriteQueue::Pending> WriteQueue::take_writes() {
  // In the order they were asked for (a drive's direction before its speed, its speed before
  // its enable), each register with its latest value.
  std::vector<std::pair<std::uint64_t, Pending>> ordered;
  ordered.reserve(writes_.size());
  for (auto& [key, queued] : writes_) {
    ordered.emplace_back(queued.sequence, Pending{key, queued.write, std::move(queued.done)});
  }
  writes_.clear();
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Pending> pending;
  pending.reserve(ordered.size());
  for (auto& [sequence, write] : ordered) pending.push_back(std::move(write));
  return pending;
}

}  // namespace sensoryd::devices
