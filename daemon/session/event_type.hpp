// Every kind of event sensoryd records, with the rules that go with it: its name on the wire
// and in the clinical log, whether it goes to the log, whether it is published on `events`, and
// which fields never leave the clinical log. One table (event_type.cpp); docs/mqtt-api.md lists
// the same names, which a test checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sensoryd {

enum class EventType : std::uint8_t {
  session_started,
  step_changed,
  session_ended,
  session_paused,
  session_resumed,
  intensity_adjusted,
  limit_clamped,
  trigger_applied,
  trigger_ended,
  session_note,
  session_response,
  interlock_tripped,
  interlock_cleared,
  interlock_reset,
  command_refused,
  command_refusals_unrecorded,
  config_loaded,
  config_reloaded,
  config_reload_refused,
  session_log_failed,
  session_log_records_lost,
  profile_saved,
  profile_deleted,
  child_plan_saved,
  safety_check_passed,  // S21: a safety input seen to work, with the drive's stop following
  validation_signed,    // S22: a technician signed the safety configuration in force
  watchdog_confirmed,   // S2, S6: the drive's comm-loss watchdog written and read back
};
inline constexpr std::size_t kEventTypeCount =
    static_cast<std::size_t>(EventType::watchdog_confirmed) + 1;

struct EventRules {
  std::string_view name;
  bool logged;     // appended to the clinical session log
  bool published;  // sent on sensoryd/<room>/events (once its record is on disk)
  // Fields for the clinical record only: the published event carries `<field>_bytes` instead,
  // so readers of the room (Home Assistant, a dashboard) learn that it was written, not what.
  std::span<const std::string_view> log_only_fields;
};

const EventRules& rules_of(EventType type);
std::string_view name_of(EventType type);
std::optional<EventType> event_named(std::string_view name);

}  // namespace sensoryd
