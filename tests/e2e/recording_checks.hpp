// Questions asked of a simulator's recording: what the equipment actually received.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sensoryd::test {

inline std::vector<nlohmann::json> writes_to(const std::vector<nlohmann::json>& recording,
                                             const std::string& register_name) {
  std::vector<nlohmann::json> out;
  for (const auto& line : recording) {
    if (line.value("type", "") == "write" && line.value("name", "") == register_name) {
      out.push_back(line);
    }
  }
  return out;
}

inline std::optional<nlohmann::json> first_event(const std::vector<nlohmann::json>& recording,
                                                 const std::string& event) {
  for (const auto& line : recording) {
    if (line.value("type", "") == "event" && line.value("event", "") == event) return line;
  }
  return std::nullopt;
}

inline std::optional<nlohmann::json> last_write(const std::vector<nlohmann::json>& recording) {
  for (auto it = recording.rbegin(); it != recording.rend(); ++it) {
    if (it->value("type", "") == "write") return *it;
  }
  return std::nullopt;
}

}  // namespace sensoryd::test
