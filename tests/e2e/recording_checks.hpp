// Questions asked of a simulator's recording: what the equipment actually received.
#pragma once

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
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

// The time from the first change of `unit`'s contact to `value` (the E-stop pressed: unit 3, 0)
// to the first stop (control = 0) the drive received after it, in seconds; +inf with a failure
// when either is not on the recording.
inline double input_to_stop_s(const std::vector<nlohmann::json>& recording, int unit, int value) {
  auto changed = input_event(recording, unit, value);
  if (!changed) ADD_FAILURE() << "the input's change is not on the recording";
  if (!changed) return std::numeric_limits<double>::infinity();
  double t_changed = (*changed)["t"];
  auto after = control_writes_after(recording, t_changed);
  if (after.empty() || after.front()["value"] != 0) ADD_FAILURE() << "no stop after the change";
  if (after.empty()) return std::numeric_limits<double>::infinity();
  return after.front()["t"].get<double>() - t_changed;
}

// How long the drive had heard nothing when `event` happened (its comm-loss watchdog's trip):
// from the last write it received before it, in seconds.
inline double silence_before(const std::vector<nlohmann::json>& recording,
                             const nlohmann::json& event) {
  double last_write_t = 0.0;
  for (const auto& line : recording) {
    if (line.value("type", "") == "write" && line["t"] <= event["t"]) last_write_t = line["t"];
  }
  return event["t"].get<double>() - last_write_t;
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
