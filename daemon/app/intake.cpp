#include "daemon/app/intake.hpp"

#include <algorithm>

#include "daemon/app/command_topic.hpp"

namespace sensoryd {

Intake::Intake(std::string room_prefix, Limits limits)
    : room_prefix_(std::move(room_prefix)), limits_(limits) {}

bool Intake::is_command(const InboundMessage& message) const {
  return parse_command_topic(message.topic, room_prefix_).has_value();
}

bool Intake::is_command(const InboundMessage& message, std::string_view action) const {
  auto command = parse_command_topic(message.topic, room_prefix_);
  return command && command->action == action;
}

bool Intake::push(InboundMessage message) {
  std::lock_guard lock(mutex_);
  bool command = is_command(message);
  if (command && message.retained) {
    std::size_t bytes = message.payload_bytes != 0 ? message.payload_bytes : message.payload.size();
    // An empty one is a retained command being cleared (by sensoryd): nothing to do.
    if (bytes == 0) return false;
    if (retained_.size() < limits_.retained_commands) {
      // Only its request_id is read from it, for the refusal: a small payload is enough, and
      // the lane stays small however big the retained commands were.
      message.payload_bytes = bytes;
      if (message.payload.size() > kRetainedPayloadKept) std::string().swap(message.payload);
      retained_.push_back(std::move(message));
    } else {
      ++counts_.retained_left;
    }
  } else if (command && is_command(message, "estop")) {
    if (estops_.size() < limits_.estops) {
      estops_.push_back(std::move(message));
    } else {
      ++counts_.estops_coalesced;
    }
  } else if (command) {
    bool coalesced = false;
    if (is_command(message, "lease")) {
      // The newer lease renews from a later moment: the queued one adds nothing.
      auto queued = std::find_if(queue_.begin(), queue_.end(), [this](const InboundMessage& m) {
        return is_command(m, "lease");
      });
      if (queued != queue_.end()) {
        *queued = std::move(message);
        ++counts_.leases_coalesced;
        coalesced = true;
      }
    }
    if (!coalesced) {
      if (commands_queued_ < limits_.commands) {
        queue_.push_back(std::move(message));
        ++commands_queued_;
      } else if (busy_.size() < limits_.busy_replies) {
        busy_.push_back(std::move(message));
      } else {
        ++counts_.commands_dropped;
      }
    }
  } else if (device_messages_queued_ < limits_.device_messages) {
    queue_.push_back(std::move(message));
    ++device_messages_queued_;
  } else {
    ++counts_.device_messages_dropped;
  }
  if (drain_scheduled_) return false;
  drain_scheduled_ = true;
  return true;
}

Intake::Batch Intake::take(std::size_t max) {
  Batch batch;
  std::lock_guard lock(mutex_);
  while (batch.messages.size() < max && !estops_.empty()) {
    batch.messages.push_back(std::move(estops_.front()));
    estops_.pop_front();
  }
  while (batch.messages.size() < max && !queue_.empty()) {
    InboundMessage& next = queue_.front();
    if (is_command(next)) {
      --commands_queued_;
    } else {
      --device_messages_queued_;
    }
    batch.messages.push_back(std::move(next));
    queue_.pop_front();
  }
  while (batch.messages.size() < max && !retained_.empty()) {
    batch.messages.push_back(std::move(retained_.front()));
    retained_.pop_front();
  }
  batch.busy.assign(std::make_move_iterator(busy_.begin()), std::make_move_iterator(busy_.end()));
  busy_.clear();
  batch.more = !estops_.empty() || !queue_.empty() || !retained_.empty();
  drain_scheduled_ = batch.more;
  return batch;
}

Intake::Counts Intake::take_counts() {
  std::lock_guard lock(mutex_);
  Counts counts = counts_;
  counts_ = {};
  return counts;
}

std::size_t Intake::queued() const {
  std::lock_guard lock(mutex_);
  return estops_.size() + queue_.size() + busy_.size() + retained_.size();
}

}  // namespace sensoryd
