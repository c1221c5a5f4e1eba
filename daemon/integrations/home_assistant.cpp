#include "daemon/integrations/home_assistant.hpp"

#include <nlohmann/json.hpp>

namespace sensoryd {

namespace {

using nlohmann::json;

// What a binary sensor shows when its JSON field is missing (no current reading): unknown,
// which Home Assistant takes from a template that renders "None".
std::string on_off(const std::string& condition, const std::string& field) {
  return "{{ ('ON' if " + condition + " else 'OFF') if value_json." + field +
         " is defined else 'None' }}";
}

// A number from the JSON, or unknown while it is missing or null.
std::string number_of(const std::string& field) {
  return "{{ value_json." + field + " if value_json." + field + " is defined and value_json." +
         field + " is not none else 'None' }}";
}

std::string button_name(const std::string& action) {
  if (action == "stop") return "Stop session";
  if (action == "pause") return "Pause";
  if (action == "resume") return "Resume";
  if (action == "go") return "Go on (a step that waits)";
  if (action == "next") return "Next step";
  if (action == "estop") return "E-stop";
  return "Reset (check the room first)";
}

class Builder {
 public:
  Builder(const config::Room& room, std::string_view version)
      : room_(room),
        node_(discovery_node_id(room)),
        prefix_("sensoryd/" + room.id + "/"),
        version_(version) {}

  std::vector<DiscoveryConfig> build() {
    room_entities();
    for (const auto& device : room_.devices) device_entities(device);
    return std::move(out_);
  }

 private:
  json room_device() const {
    return {{"identifiers", json::array({node_})},
            {"name", room_.name.empty() || room_.name == room_.id ? "Sensory room " + room_.id
                                                                  : room_.name},
            {"manufacturer", "sensoryd"},
            {"model", "Sensory room controller"},
            {"sw_version", version_}};
  }

  json equipment_device(const config::Device& device) const {
    return {{"identifiers", json::array({node_ + "-" + device.id})},
            {"name", device.id},
            {"manufacturer", "sensoryd"},
            {"model", std::string(config::to_string(device.kind())) + " (" + device.type + ")"},
            {"via_device", node_}};
  }

  // The keys every entity has: its name, unique id, availability (the room's), device, origin.
  void add(const std::string& component, const std::string& object_id, const std::string& name,
           json device, json fields) {
    fields["name"] = name;
    fields["unique_id"] = node_ + "-" + object_id;
    fields["availability_topic"] = prefix_ + "availability";
    fields["device"] = std::move(device);
    fields["origin"] = {{"name", "sensoryd"}, {"sw_version", version_}};
    out_.push_back({room_.home_assistant.discovery_prefix + "/" + component + "/" + node_ + "/" +
                        object_id + "/config",
                    fields.dump()});
  }

  void room_entities() {
    const std::string session = prefix_ + "session";
    const std::string safety = prefix_ + "safety";
    add("sensor", "session", "Session", room_device(),
        {{"state_topic", session}, {"value_template", "{{ value_json.state }}"}});
    add("sensor", "profile", "Profile", room_device(),
        {{"state_topic", session},
         {"value_template", "{{ value_json.profile if value_json.profile else 'none' }}"}});
    add("sensor", "step", "Step", room_device(),
        {{"state_topic", session},
         {"value_template", "{{ value_json.step.name if value_json.step else 'none' }}"}});
    add("sensor", "time_left", "Time left", room_device(),
        {{"state_topic", session},
         {"value_template", "{{ value_json.remaining_s | round(0) }}"},
         {"unit_of_measurement", "s"},
         {"device_class", "duration"}});
    add("sensor", "intensity", "Intensity", room_device(),
        {{"state_topic", session},
         {"value_template", "{{ (value_json.intensity * 100) | round(0) }}"},
         {"unit_of_measurement", "%"}});
    add("sensor", "lease_remaining", "Supervision lease left", room_device(),
        {{"state_topic", safety},
         {"value_template", number_of("lease_remaining_s")},
         {"unit_of_measurement", "s"},
         {"device_class", "duration"}});
    add("binary_sensor", "tripped", "Safety trip", room_device(),
        {{"state_topic", safety},
         {"value_template", on_off("value_json.tripped", "tripped")},
         {"device_class", "problem"}});
    add("binary_sensor", "motion_allowed", "Motion allowed", room_device(),
        {{"state_topic", safety},
         {"value_template", on_off("value_json.motion_allowed", "motion_allowed")}});
    const auto& ha = room_.home_assistant;
    // The user's own path when Home Assistant signs in as a user (docs/security.md).
    std::string commands =
        ha.user.empty() ? prefix_ + "cmd/" : prefix_ + "user/" + ha.user + "/cmd/";
    for (const auto& action : ha.buttons) {
      add("button", action, button_name(action), room_device(),
          {{"command_topic", commands + action},
           {"payload_press", json{{"therapist", "home-assistant"}}.dump()},
           {"retain", false}});
    }
  }

  void device_entities(const config::Device& device) {
    const std::string topic = prefix_ + "devices/" + device.id;
    const std::string id = device.id;
    add("sensor", id + "-health", "Health", equipment_device(device),
        {{"state_topic", topic},
         {"value_template", "{{ value_json.health }}"},
         {"entity_category", "diagnostic"}});
    add("binary_sensor", id + "-online", "Online", equipment_device(device),
        {{"state_topic", topic},
         {"value_template", "{{ 'ON' if value_json.health in ['online', 'degraded'] else 'OFF' }}"},
         {"device_class", "connectivity"},
         {"entity_category", "diagnostic"}});
    switch (device.kind()) {
      case config::DeviceKind::swing_drive:
        add("sensor", id + "-amplitude", "Measured amplitude", equipment_device(device),
            {{"state_topic", topic},
             {"value_template", number_of("amplitude_deg")},
             {"unit_of_measurement", "°"},
             {"state_class", "measurement"}});
        break;
      case config::DeviceKind::sound:
        add("sensor", id + "-level", "Level", equipment_device(device),
            {{"state_topic", topic},
             {"value_template", number_of("level_dba")},
             {"unit_of_measurement", "dBA"},
             {"device_class", "sound_pressure"},
             {"state_class", "measurement"}});
        break;
      case config::DeviceKind::input: {
        const auto& input = std::get<config::Input>(device.equipment);
        if (input.role == config::InputRole::estop) {
          add("binary_sensor", id + "-pressed", "E-stop pressed", equipment_device(device),
              {{"state_topic", topic},
               {"value_template", on_off("value_json.active", "active")},
               {"device_class", "safety"}});
        } else if (input.role == config::InputRole::door) {
          add("binary_sensor", id + "-open", "Door open", equipment_device(device),
              {{"state_topic", topic},
               {"value_template", on_off("value_json.active", "active")},
               {"device_class", "door"}});
        }
        break;
      }
      case config::DeviceKind::light:
        break;  // its health and connection; its colour is the session's, not Home Assistant's
    }
  }

  const config::Room& room_;
  std::string node_;
  std::string prefix_;
  std::string version_;
  std::vector<DiscoveryConfig> out_;
};

}  // namespace

std::string discovery_node_id(const config::Room& room) {
  return "sensoryd-" + room.id;
}

std::vector<DiscoveryConfig> home_assistant_discovery(const config::Room& room,
                                                      std::string_view version) {
  if (!room.home_assistant.enabled) return {};
  return Builder(room, version).build();
}

std::string discovery_filter(const config::Room& room) {
  return room.home_assistant.discovery_prefix + "/+/" + discovery_node_id(room) + "/+/config";
}

bool is_discovery_topic(const config::Room& room, std::string_view topic) {
  // <prefix>/<component>/<node id>/<object id>/config, each level without '/'.
  std::string_view prefix = room.home_assistant.discovery_prefix;
  if (topic.size() <= prefix.size() || topic.substr(0, prefix.size()) != prefix ||
      topic[prefix.size()] != '/') {
    return false;
  }
  std::string_view rest = topic.substr(prefix.size() + 1);
  auto component_end = rest.find('/');
  if (component_end == std::string_view::npos || component_end == 0) return false;
  rest.remove_prefix(component_end + 1);
  std::string node = discovery_node_id(room) + "/";
  if (rest.substr(0, node.size()) != node) return false;
  rest.remove_prefix(node.size());
  constexpr std::string_view kSuffix = "/config";
  if (rest.size() <= kSuffix.size() || rest.substr(rest.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  std::string_view object = rest.substr(0, rest.size() - kSuffix.size());
  return !object.empty() && object.find('/') == std::string_view::npos;
}

std::string discovery_status_topic(const config::Room& room) {
  return room.home_assistant.discovery_prefix + "/status";
}

}  // namespace sensoryd
