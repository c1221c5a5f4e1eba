// How far a device can be trusted right now, as published on sensoryd/<room>/devices/<id>, and
// the bookkeeping every polled driver shares: missed polls, recovery, one log line a change.
#pragma once

#include <functional>
#include <string>

namespace sensoryd::devices {

// online: answering; degraded: answering, but some requests lately went unanswered;
// lost: no valid answer for the configured number of polls (docs/safety.md S5); fault: the device
// itself reports a fault.
enum class Health { online, degraded, lost, fault };

const char* to_string(Health health);

// Answering well enough to be used (degraded still answers).
inline bool usable(Health health) {
  return health == Health::online || health == Health::degraded;
}

class HealthTracker {
 public:
  // `name` prefixes the log lines ("swing swing", "input estop"); `changed` is called on every
  // transition.
  HealthTracker(std::string name, int lost_after_polls, std::function<void()> changed)
      : name_(std::move(name)), lost_after_polls_(lost_after_polls), changed_(std::move(changed)) {}

  // A poll went unanswered: degraded at once, lost after `lost_after_polls` in a row. Returns
  // true once the device counts as lost.
  bool missed(const std::string& error);
  // A valid answer arrived.
  void answered();
  // A degraded device counts as online again only after a run of good answers, so that a
  // marginal link does not log a transition every poll.
  bool recovered() const;
  void set(Health health, std::string detail);

  Health health() const { return health_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string name_;
  int lost_after_polls_;
  std::function<void()> changed_;
  Health health_ = Health::lost;
  std::string detail_ = "no answer yet";
  int missed_polls_ = 0;
  int good_polls_since_miss_ = 0;
};

}  // namespace sensoryd::devices
