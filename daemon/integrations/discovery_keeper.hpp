// Keeps this room's Home Assistant discovery configs on the broker (docs/home-assistant.md):
// publishes them on every connect and again when Home Assistant says it is online, and removes
// a retained config under this room's node that is no longer offered. Anyone on the broker can
// say Home Assistant is online or leave configs there: the answers to a flood of them are
// bounded. Runs on the logic thread; time is passed in.
#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "daemon/integrations/home_assistant.hpp"
#include "devices/transport/rate_limit.hpp"

namespace sensoryd {

class DiscoveryKeeper {
 public:
  using Clock = std::chrono::steady_clock;
  // Publishes a retained message (an empty payload removes one).
  using PublishRetained = std::function<void(const std::string& topic, const std::string& payload)>;

  DiscoveryKeeper(const config::Room& room, std::string_view version, PublishRetained publish);

  // The filters to subscribe to on every connect; none when discovery is disabled.
  const std::vector<std::string>& subscriptions() const { return subscriptions_; }
  // Every config, as on a (re)connect.
  void publish_all();
  // A message from the broker. True when it was Home Assistant's (its status, or a config
  // topic of this room's): nothing else needs to look at it.
  bool handle(const std::string& topic, const std::string& payload, Clock::time_point now);

  std::size_t configs() const { return configs_.size(); }

 private:
  const config::Room& room_;
  PublishRetained publish_;
  std::vector<DiscoveryConfig> configs_;  // empty unless [integrations.home_assistant] enabled
  std::set<std::string> offered_;         // their topics
  std::vector<std::string> subscriptions_;
  RateLimit republish_{1.0, 1.0};
  RateLimit removal_logs_{10.0, 10.0};
};

}  // namespace sensoryd
