// Which command a topic names, and whose: sensoryd/<room>/cmd/<action> (anyone who may publish
// there) or sensoryd/<room>/user/<username>/cmd/<action>, where the broker's ACL lets only the
// authenticated <username> publish (mosquitto's %u), so the user cannot be typed
// (docs/security.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sensoryd {

struct CommandTopic {
  std::string action;
  std::string user;  // empty on the unauthenticated path
};

// `room_prefix` is "sensoryd/<room>/". Nothing when the topic is not a command topic.
std::optional<CommandTopic> parse_command_topic(std::string_view topic,
                                                std::string_view room_prefix);

}  // namespace sensoryd
