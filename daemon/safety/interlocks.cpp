#include "daemon/safety/interlocks.hpp"

#include <algorithm>

namespace sensoryd {

const char* to_string(Cause cause) {
  switch (cause) {
    case Cause::estop_input:
      return "estop_input";
    case Cause::estop_command:
      return "estop_command";
    case Cause::device_lost:
      return "device_lost";
    case Cause::device_fault:
      return "device_fault";
    case Cause::safety_input_stale:
      return "safety_input_stale";
    case Cause::door_open:
      return "door_open";
    case Cause::lease_lapsed:
      return "lease_lapsed";
  }
  return "unknown";
}

bool latches(Cause cause) {
  return cause != Cause::door_open && cause != Cause::lease_lapsed;
}

CauseRecord* Interlocks::find(Cause cause, const std::string& source) {
  for (auto& record : causes_) {
    if (record.cause == cause && record.source == source) return &record;
  }
  return nullptr;
}

void Interlocks::set(Cause cause, const std::string& source, bool active, Clock::time_point now,
                     const std::string& detail) {
  CauseRecord* record = find(cause, source);
  if (active) {
    if (record == nullptr) {
      causes_.push_back(CauseRecord{cause, source, true, latches(cause), now, detail});
      changes_.push_back({InterlockChange::Type::tripped, causes_.back()});
    } else if (!record->active) {
      record->active = true;  // back while still latched: the same trip, now holding again
      record->detail = detail;
    }
    return;
  }
  if (record == nullptr || !record->active) return;
  if (record->latched) {
    record->active = false;  // stays latched until reset
    return;
  }
  changes_.push_back({InterlockChange::Type::cleared, *record});
  causes_.erase(causes_.begin() + (record - causes_.data()));
}

void Interlocks::trip(Cause cause, const std::string& source, Clock::time_point now,
                      const std::string& detail) {
  set(cause, source, true, now, detail);
  set(cause, source, false, now);
}

Interlocks::ResetResult Interlocks::reset() {
  if (!tripped()) return {false, "nothing to reset: no trip is latched"};
  std::string still;
  for (const auto& record : causes_) {
    if (record.latched && record.active) {
      still += (still.empty() ? "" : "; ") + record.detail;
    }
  }
  if (!still.empty()) {
    return {false, "the cause is still there (" + still + "): remove it first, then reset"};
  }
  for (const auto& record : causes_) {
    if (record.latched) changes_.push_back({InterlockChange::Type::reset, record});
  }
  std::erase_if(causes_, [](const CauseRecord& record) { return record.latched; });
  return {true, {}};
}

bool Interlocks::tripped() const {
  return std::any_of(causes_.begin(), causes_.end(), [](const auto& r) { return r.latched; });
}

bool Interlocks::reset_possible() const {
  return tripped() && std::none_of(causes_.begin(), causes_.end(),
                                   [](const auto& r) { return r.latched && r.active; });
}

bool Interlocks::stop_required() const {
  return std::any_of(causes_.begin(), causes_.end(),
                     [](const auto& r) { return r.latched || r.cause == Cause::door_open; });
}

bool Interlocks::wind_down_required() const {
  return holds(Cause::lease_lapsed);
}

bool Interlocks::holds(Cause cause) const {
  return std::any_of(causes_.begin(), causes_.end(),
                     [cause](const auto& r) { return r.cause == cause; });
}

std::vector<InterlockChange> Interlocks::take_changes() {
  std::vector<InterlockChange> out;
  out.swap(changes_);
  return out;
}

}  // namespace sensoryd
