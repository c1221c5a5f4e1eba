// Why motion is not allowed, as a code with its parameters and in sensoryd's words. The room
// publishes both (`safety.refusal` and `safety.detail`, docs/mqtt-api.md), so that a client puts
// it in its own words (the tablet says "tap Reset" where sensoryd says "send reset") without
// reading sensoryd's English. The words are written here from the same code and parameters.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sensoryd {

enum class RefusalCode : std::uint8_t {
  none,                  // motion is allowed
  trip_latched,          // params: cause (the trip's detail), reset_possible ("true"/"false")
  door_open,             // no params
  drive_unusable,        // params: device, health, detail
  watchdog_unconfirmed,  // params: device
  input_stale,           // params: device, detail
  lease_lapsed           // no params
};
inline constexpr std::size_t kRefusalCodeCount =
    static_cast<std::size_t>(RefusalCode::lease_lapsed) + 1;

inline constexpr std::array<std::string_view, kRefusalCodeCount> kRefusalCodeNames = [] {
  std::array<std::string_view, kRefusalCodeCount> names{};
  auto at = [&names](RefusalCode code, std::string_view name) {
    names[static_cast<std::size_t>(code)] = name;
  };
  at(RefusalCode::none, "");
  at(RefusalCode::trip_latched, "trip_latched");
  at(RefusalCode::door_open, "door_open");
  at(RefusalCode::drive_unusable, "drive_unusable");
  at(RefusalCode::watchdog_unconfirmed, "watchdog_unconfirmed");
  at(RefusalCode::input_stale, "input_stale");
  at(RefusalCode::lease_lapsed, "lease_lapsed");
  return names;
}();

constexpr std::string_view to_string(RefusalCode code) {
  auto index = static_cast<std::size_t>(code);
  return index < kRefusalCodeNames.size() ? kRefusalCodeNames[index] : std::string_view{};
}

struct MotionRefusal {
  RefusalCode code = RefusalCode::none;
  std::vector<std::pair<std::string, std::string>> params;

  explicit operator bool() const { return code != RefusalCode::none; }
  std::string param(std::string_view name) const {
    for (const auto& [key, value] : params) {
      if (key == name) return value;
    }
    return {};
  }
  // In sensoryd's words, for logs, replies and clients that show the text as it is.
  std::string text() const {
    switch (code) {
      case RefusalCode::none:
        return {};
      case RefusalCode::trip_latched:
        return "a safety trip is latched (" + param("cause") + "): " +
               (param("reset_possible") == "true"
                    ? "check the room, then send reset"
                    : "remove the cause, check the room, then send reset");
      case RefusalCode::door_open:
        return "the door is open: close it, then try again";
      case RefusalCode::drive_unusable:
        return "the swing drive '" + param("device") + "' is " + param("health") + " (" +
               param("detail") + "): check its power and cable, then try again";
      case RefusalCode::watchdog_unconfirmed:
        return "the swing drive's comm-loss watchdog is not confirmed yet: wait a moment and try "
               "again, or check the drive's configuration";
      case RefusalCode::input_stale:
        return "the safety input '" + param("device") + "' has no current reading (" +
               param("detail") + "): check the I/O module, then try again";
      case RefusalCode::lease_lapsed:
        return "the supervision lease lapsed: the tablet must send lease regularly";
    }
    return {};
  }
};

}  // namespace sensoryd
