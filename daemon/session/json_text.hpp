// The one way sensoryd writes JSON as text: compact, and a string that is not valid UTF-8 (a
// hostile payload echoed back in a refusal) has its bad bytes replaced instead of throwing.
// Include it only where nlohmann/json is used already: it is a heavy header.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sensoryd {

inline std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sensoryd
