// Which command a topic names, and whose: sensoryd/<room>/cmd/<action> (anyone who may publish
// there) or sensoryd/<room>/user/<username>/cmd/<action>, where the broker's ACL lets only the
// authenticated <username> publish (mosquitto's %u), so the user cannot be typed
// (docs/security.md).
#pragma once

#include <optional>
#include <string_view>

namespace sensoryd {

// Views into the topic it was parsed from: no allocation, as the intake asks this of every
// inbound message (and of every queued one when a lease comes); valid while that topic lives.
struct CommandTopic {
  std::string_view action;
  std::string_view user;  // empty on the unauthenticated path
};

// `room_prefix` is "sensoryd/<room>/". Nothing when the topic is not a command topic.
std::optional<CommandTopic> parse_command_topic(std::string_view topic,
                                                std::string_view room_prefix);

}  // namespace sensoryd
