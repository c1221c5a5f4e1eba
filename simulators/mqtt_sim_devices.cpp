#include "simulators/mqtt_sim_devices.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

namespace sensoryd::sim {

namespace {
using nlohmann::json;
}

void MqttSimDevices::add_light(const std::string& topic) {
  devices_[topic] =
      Device{"light", true,
             json{{"state", "OFF"}, {"brightness", 0}, {"color", {{"hex", "#000000"}}}}.dump()};
}

void MqttSimDevices::add_player(const std::string& topic) {
  devices_[topic] =
      Device{"player", true, json{{"state", "stop"}, {"volume", 0}, {"source", ""}}.dump()};
}

void MqttSimDevices::add_switch(const std::string& topic) {
  devices_[topic] = Device{"switch", true, json{{"action", ""}}.dump()};
}

std::vector<std::string> MqttSimDevices::subscriptions() const {
  std::vector<std::string> topics;
  for (const auto& [topic, device] : devices_) {
    if (device.kind != "switch") topics.push_back(topic + "/set");
  }
  return topics;
}

Outgoing MqttSimDevices::availability(const std::string& topic, const Device& device) const {
  return {topic + "/availability", device.online ? "online" : "offline", true};
}

std::vector<Outgoing> MqttSimDevices::announce() const {
  std::vector<Outgoing> out;
  for (const auto& [topic, device] : devices_) {
    out.push_back(availability(topic, device));
    if (device.online && device.kind != "switch") out.push_back({topic, device.state_json, false});
  }
  return out;
}

std::vector<Outgoing> MqttSimDevices::received(const std::string& topic,
                                               const std::string& payload) {
  std::string device_topic = topic.ends_with("/set") ? topic.substr(0, topic.size() - 4) : topic;
  auto found = devices_.find(device_topic);
  if (found == devices_.end()) return {};
  Device& device = found->second;
  if (!device.online) return {};  // an offline device hears nothing
  auto command = json::parse(payload, nullptr, false);
  recorder_.message(device_topic, command.is_discarded() ? json(payload).dump() : command.dump());
  if (!command.is_object()) return {};
  if (device.ignore_next > 0) {  // as a device that missed it: nothing done, nothing said
    --device.ignore_next;
    recorder_.control("ignored a command on " + device_topic);
    return {};
  }
  // The device takes what it understood, keeps the rest, and reports its whole state.
  auto state = json::parse(device.state_json);
  for (const auto& [key, value] : command.items()) {
    if (key != "transition") state[key] = value;
  }
  device.state_json = state.dump();
  return {{device_topic, device.state_json, false}};
}

std::string MqttSimDevices::control(const std::string& line, std::vector<Outgoing>& out) {
  std::istringstream words(line);
  std::string verb, topic;
  words >> verb >> topic;
  if (verb == "help" || verb.empty()) {
    return "ok commands: status | offline TOPIC | online TOPIC | press TOPIC | hold TOPIC | "
           "release TOPIC | ignore TOPIC [N] | report TOPIC JSON";
  }
  if (verb == "status") {
    std::string text = "ok";
    for (const auto& [t, device] : devices_) {
      text += " | " + device.kind + " " + t + (device.online ? " online " : " offline ") +
              device.state_json;
    }
    return text;
  }
  auto found = devices_.find(topic);
  if (found == devices_.end()) return "error: no device on '" + topic + "'";
  Device& device = found->second;
  recorder_.control(line);
  if (verb == "offline" || verb == "online") {
    device.online = verb == "online";
    out.push_back(availability(topic, device));
    if (device.online && device.kind != "switch") out.push_back({topic, device.state_json, false});
    return "ok " + topic + " " + verb;
  }
  if (verb == "ignore") {
    // The next N commands are missed (default 1), as by a device on a bad link.
    int count = 1;
    if (!(words >> count) || count < 1) count = 1;
    device.ignore_next = count;
    return "ok ignore " + topic + " " + std::to_string(count);
  }
  if (verb == "report") {
    // The device changes by itself (its own buttons, another controller) and says so.
    std::string rest;
    std::getline(words, rest);
    auto change = json::parse(rest, nullptr, false);
    if (!change.is_object()) return "error: report needs a JSON object, e.g. {\"volume\":100}";
    auto state = json::parse(device.state_json);
    for (const auto& [key, value] : change.items()) state[key] = value;
    device.state_json = state.dump();
    out.push_back({topic, device.state_json, false});
    return "ok report " + topic;
  }
  if (device.kind != "switch") return "error: " + topic + " is not a switch";
  // A zigbee2mqtt button reports its action, then an empty action; `hold` leaves it pressed.
  if (verb == "press" || verb == "hold") out.push_back({topic, json{{"action", "single"}}.dump()});
  if (verb == "press" || verb == "release") out.push_back({topic, json{{"action", ""}}.dump()});
  if (out.empty()) return "error: unknown command '" + verb + "' (try help)";
  return "ok " + verb + " " + topic;
}

}  // namespace sensoryd::sim
