// Children as the room knows them: a pseudonymous id, caps and flags that can only tighten.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sensoryd::config {

enum class ChildFlag { photosensitive, vestibular_sensitive, sound_sensitive, pacemaker, epilepsy };
const char* to_string(ChildFlag flag);

struct Child {
  std::string id;  // pseudonymous, e.g. "c-014"
  std::optional<double> max_amplitude_deg;
  std::optional<bool> rotary_allowed;
  std::optional<double> max_dba;
  std::optional<double> max_brightness_pct;
  std::set<ChildFlag> flags;
  std::vector<std::string> profiles;  // empty: any profile the flags allow
  // The clinical lead's saved plan in force (docs/profiles.md); 0: the room file's entry.
  int plan_version = 0;

  bool has(ChildFlag flag) const { return flags.count(flag) != 0; }
  bool operator==(const Child&) const = default;
};

}  // namespace sensoryd::config
