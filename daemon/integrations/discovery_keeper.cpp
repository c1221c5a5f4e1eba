#include "daemon/integrations/discovery_keeper.hpp"

#include <spdlog/spdlog.h>

namespace sensoryd {

DiscoveryKeeper::DiscoveryKeeper(const config::Room& room, std::string_view version,
                                 PublishRetained publish)
    : room_(room), publish_(std::move(publish)), configs_(home_assistant_discovery(room, version)) {
  for (const auto& config : configs_) offered_.insert(config.topic);
  if (room.home_assistant.enabled) {
    // Home Assistant's birth message, and this room's configs: to find those no longer offered.
    subscriptions_ = {discovery_status_topic(room), discovery_filter(room)};
  }
}

void DiscoveryKeeper::publish_all() {
  for (const auto& config : configs_) publish_(config.topic, config.payload);
}

bool DiscoveryKeeper::handle(const std::string& topic, const std::string& payload,
                             Clock::time_point now) {
  if (!room_.home_assistant.enabled) return false;
  if (topic == discovery_status_topic(room_)) {
    // Home Assistant's birth message: it may have lost what it knew (a broker without
    // retained messages, a restart that cleared them), so the configs go out again.
    if (payload == "online" && republish_.allow(now)) {
      spdlog::info("Home Assistant is online: {} discovery config(s) published again",
                   configs_.size());
      publish_all();
    }
    return true;
  }
  if (!is_discovery_topic(room_, topic)) return false;
  // Our own configs come back to us; an empty one is a removal already done.
  if (!payload.empty() && offered_.count(topic) == 0) {
    if (removal_logs_.allow(now)) {
      spdlog::info("Home Assistant: {} is no longer offered by this room; removing it", topic);
    }
    publish_(topic, "");
  }
  return true;
}

}  // namespace sensoryd
