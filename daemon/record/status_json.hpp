// The JSON payloads sensoryd publishes about itself (docs/mqtt-api.md): session, device, events.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/model.hpp"
#include "daemon/safety/functional_checks.hpp"
#include "daemon/safety/interlocks.hpp"
#include "daemon/safety/motion_refusal.hpp"
#include "daemon/session/record.hpp"
#include "daemon/session/session_engine.hpp"
#include "daemon/session/validation_state.hpp"
#include "devices/drive.hpp"
#include "devices/light_fixture.hpp"
#include "devices/modbus_input.hpp"
#include "devices/mqtt_input.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd {

// `instance` names this run of sensoryd (StatePublisher draws it at start): a watcher of many
// rooms tells by it when two rooms share one id (docs/clinic.md).
std::string session_json(const SessionSnapshot& session, std::string_view instance);
// The retained `profiles` message is bounded: the secure room's broker disconnects a client
// that publishes a packet over its max_packet_size (256 KiB, config/broker/
// mosquitto-secure.conf.in), and sensoryd's main connection would be closed again at each
// connect. This leaves room for the topic and the packet's header (checked by BrokerConfig.*).
inline constexpr std::size_t kMaxProfilesMessageBytes = 192 * 1024;
// Every profile, each with its whole JSON form (`content`) while the message stays within
// kMaxProfilesMessageBytes; a profile whose content would not fit is listed with `content`
// null and `content_omitted` true.
std::string profiles_json(const std::map<std::string, config::Profile>& profiles);
// The size profiles_json would have with every content in, `added` in place of the profile of
// its id (or beside them): a save that would not fit is refused (docs/profiles.md).
std::size_t profiles_json_bytes(const std::map<std::string, config::Profile>& profiles,
                                const config::Profile& added);
// Each child (pseudonym and flags) with the profiles a `start` would refuse for them, and why.
std::string children_json(const config::Room& room);
// The room's limits and the bounds on a profile, retained on `limits`: the ranges the tablet's
// editor offers are the supervisor's own (docs/mqtt-api.md).
std::string limits_json(const config::Limits& limits);
std::string swing_device_json(const devices::Drive& swing);
std::string input_device_json(const devices::ModbusInput& input);
std::string mqtt_input_device_json(const devices::MqttInput& input);
// `shown`: what the scene guard last sent it.
std::string light_device_json(const devices::LightFixture& light,
                              const devices::LightCommand& shown);
// `level_dba`: the level at the listener the last command gives.
std::string sound_device_json(const devices::SoundPlayer& player, double level_dba);

struct SafetyStatus {
  bool motion_allowed = false;
  const Interlocks* interlocks = nullptr;
  std::optional<double> lease_remaining_s;
  std::optional<double> lease_s;  // a renewal's length; nothing when the room has the lease off
  MotionRefusal refusal;          // why motion is not allowed; none when it is
  std::string session_log_error;  // why the clinical log cannot be written; empty when it can
  // Maps the interlocks' steady-clock times to wall-clock ones for `since`.
  std::chrono::steady_clock::time_point steady_now;
  std::chrono::system_clock::time_point wall_now;
  std::vector<FunctionalChecks::Status> checks;  // S21: each safety input's functional check
  const ValidationState* validation = nullptr;   // S22; null when the room keeps none
};
std::string safety_json(const SafetyStatus& status);
// One line of `events` and of the session log: the record's fields with `ts` and `type`.
// An event's fields as a JSON object (a dose kept as JSON text is nested as it is).
std::string fields_json(const Fields& fields);
// A colour as #rrggbb.
std::string hex_color(const config::Rgb& color);
std::string event_json(std::chrono::system_clock::time_point ts, const Record& record);

}  // namespace sensoryd
