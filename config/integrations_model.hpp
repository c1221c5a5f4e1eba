// [integrations]: what sensoryd announces to other systems of the building
// (docs/home-assistant.md).
#pragma once

#include <string>
#include <vector>

namespace sensoryd::config {

// The commands Home Assistant may be given buttons for, in the order they are announced.
inline const std::vector<std::string>& home_assistant_button_actions() {
  static const std::vector<std::string> actions{"stop", "pause", "resume", "go",
                                                "next", "estop", "reset"};
  return actions;
}

// [integrations.home_assistant]: MQTT discovery of the room and its equipment.
struct HomeAssistant {
  bool enabled = false;
  std::string discovery_prefix = "homeassistant";
  // The broker user Home Assistant connects as: its buttons then publish on that user's own
  // command path (needed with [mqtt] require_identity). Empty: the open path.
  std::string user;
  std::vector<std::string> buttons = home_assistant_button_actions();

  bool operator==(const HomeAssistant&) const = default;
};

}  // namespace sensoryd::config
