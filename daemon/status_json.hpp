// The JSON payloads sensoryd publishes about itself (MQTT-API.md): session, device, events.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "config/model.hpp"
#include "daemon/session_engine.hpp"
#include "devices/swing_drive.hpp"

namespace sensoryd {

std::string session_json(const SessionSnapshot& session);
std::string profiles_json(const std::map<std::string, config::Profile>& profiles);
std::string swing_device_json(const devices::SwingDrive& swing);
// `fields_json` is a JSON object whose members are added to the event; "{}" for none.
std::string event_json(std::chrono::system_clock::time_point ts, const std::string& type,
                       const std::string& fields_json);
std::string iso8601_utc(std::chrono::system_clock::time_point ts);

}  // namespace sensoryd
