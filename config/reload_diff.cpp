#include "config/reload_diff.hpp"

namespace sensoryd::config {

std::vector<std::string> sections_needing_restart(const Room& running, const Room& next) {
  // Every field of Room, by name and in order. A field added to Room makes these bindings fail
  // to compile: sort it below into the compared ones or the reloaded ones.
  const auto& [source, templates_dir, id, name, mqtt, buses, devices, calibrations, safe_scene,
               limits, children, profiles, home_assistant] = next;
  // Reloaded (apply_reloadable): the next session takes them; a running one keeps its copy.
  (void)name;
  (void)children;
  (void)profiles;
  // The file reloaded is the file that was loaded; the templates are read at load, and what
  // they gave is in `devices`, compared below.
  (void)source;
  (void)templates_dir;

  std::vector<std::string> sections;
  auto compare = [&sections](bool same, const char* section) {
    if (!same) sections.push_back(section);
  };
  compare(id == running.id, "[room] id");
  compare(mqtt == running.mqtt, "[mqtt]");
  compare(buses == running.buses, "[buses]");
  compare(devices == running.devices && calibrations == running.calibrations, "[devices]");
  compare(limits == running.limits, "[limits]");
  compare(safe_scene == running.safe_scene, "[safe_scene]");
  compare(home_assistant == running.home_assistant, "[integrations]");
  return sections;
}

void apply_reloadable(Room& running, const Room& next) {
  running.name = next.name;
  running.children = next.children;
  running.profiles = next.profiles;
}

}  // namespace sensoryd::config
