// Home Assistant's MQTT discovery for a room (docs/home-assistant.md): one HA device for the
// room and one for each piece of its equipment (linked to the room by via_device), each entity
// a value template into the JSON topics sensoryd already publishes, and buttons that publish
// the room's own commands. Pure: the App publishes what this returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace sensoryd {

struct DiscoveryConfig {
  std::string topic;    // <prefix>/<component>/<node id>/<object id>/config
  std::string payload;  // JSON
};

// "sensoryd-<room id>": the node id level of every discovery topic of this room, and the start
// of its unique ids.
std::string discovery_node_id(const config::Room& room);

// Every discovery config of the room, in a stable order; nothing when discovery is disabled.
// Unique ids depend only on the room id and device ids, so they survive restarts.
std::vector<DiscoveryConfig> home_assistant_discovery(const config::Room& room,
                                                      std::string_view version);

// A filter matching every discovery config topic of this room (any component, any object).
std::string discovery_filter(const config::Room& room);
// Whether `topic` is one of this room's discovery config topics.
bool is_discovery_topic(const config::Room& room, std::string_view topic);
// Home Assistant's birth and last-will topic.
std::string discovery_status_topic(const config::Room& room);

}  // namespace sensoryd
