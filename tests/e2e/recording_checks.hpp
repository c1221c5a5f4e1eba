// Questions asked of a simulator's recording: what the equipment actually received.
#pragma once

#include <algorithm>
#include <limits>
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

// Recorded writes of `register_name` after wall-clock time `after`.
inline std::vector<nlohmann::json> writes_after(const std::vector<nlohmann::json>& recording,
                                                const std::string& register_name, double after) {
  std::vector<nlohmann::json> out;
  for (const auto& write : writes_to(recording, register_name)) {
    if (write["t"].get<double>() > after) out.push_back(write);
  }
  return out;
}

// Recorded writes of the swing's control register after wall-clock time `after`.
inline std::vector<nlohmann::json> control_writes_after(
    const std::vector<nlohmann::json>& recording, double after) {
  return writes_after(recording, "control", after);
}

// The largest engineering value written to `register_name` (degrees, Hz, ...), or -inf.
inline double largest_written(const std::vector<nlohmann::json>& recording,
                              const std::string& register_name) {
  double largest = -std::numeric_limits<double>::infinity();
  for (const auto& write : writes_to(recording, register_name)) {
    largest = std::max(largest, write["eng"].get<double>());
  }
  return largest;
}

// The first change of a contact on `unit` to `value` (the simulator's control port set it).
inline std::optional<nlohmann::json> input_event(const std::vector<nlohmann::json>& recording,
                                                 int unit, int value) {
  for (const auto& line : recording) {
    if (line.value("event", "") == "input" && line.value("unit", 0) == unit &&
        line.value("value", -1) == value) {
      return line;
    }
  }
  return std::nullopt;
}

// The longest time between two writes of `register_name` from `from` to `to` (wall clock, s),
// counting the edges of the window: how long the drive went without, say, a heartbeat.
inline double longest_gap(const std::vector<nlohmann::json>& recording,
                          const std::string& register_name, double from, double to) {
  double last = from;
  double longest = 0.0;
  for (const auto& write : writes_to(recording, register_name)) {
    double t = write["t"].get<double>();
    if (t < from || t > to) continue;
    longest = std::max(longest, t - last);
    last = t;
  }
  return std::max(longest, to - last);
}

}  // namespace sensoryd::test
