#include "devices/health.hpp"

#include <spdlog/spdlog.h>

namespace sensoryd::devices {

namespace {
constexpr int kGoodPollsToRecover = 20;
}

const char* to_string(Health health) {
  switch (health) {
    case Health::online:
      return "online";
    case Health::degraded:
      return "degraded";
    case Health::lost:
      return "lost";
    case Health::fault:
      return "fault";
  }
  return "lost";
}

bool HealthTracker::missed(const std::string& error) {
  good_polls_since_miss_ = 0;
  if (++missed_polls_ >= lost_after_polls_) {
    set(Health::lost, "no valid answer for " + std::to_string(missed_polls_) + " polls: " + error);
    return true;
  }
  if (health_ == Health::online) set(Health::degraded, "a poll went unanswered: " + error);
  return false;
}

void HealthTracker::answered() {
  missed_polls_ = 0;
  ++good_polls_since_miss_;
}

bool HealthTracker::recovered() const {
  return health_ != Health::degraded || good_polls_since_miss_ >= kGoodPollsToRecover;
}

void HealthTracker::set(Health health, std::string detail) {
  if (health == health_) {
    detail_ = std::move(detail);  // the same state for a newer reason: no new log line
    return;
  }
  if (health == Health::online) {
    spdlog::info("{}: online", name_);
  } else {
    spdlog::warn("{}: {} ({})", name_, to_string(health), detail);
  }
  health_ = health;
  detail_ = std::move(detail);
  if (changed_) changed_();
}

}  // namespace sensoryd::devices
