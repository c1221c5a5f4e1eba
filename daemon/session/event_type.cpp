#include "daemon/session/event_type.hpp"

#include <array>

namespace sensoryd {

namespace {

constexpr std::string_view kNoteText[] = {"text"};

constexpr std::size_t index_of(EventType type) {
  return static_cast<std::size_t>(type);
}

// Each type beside its rules, so the table cannot fall out of the enum's order.
constexpr std::array<EventRules, kEventTypeCount> kRules = [] {
  std::array<EventRules, kEventTypeCount> rules{};
  auto at = [&rules](EventType type, EventRules entry) { rules[index_of(type)] = entry; };
  using E = EventType;
  constexpr bool log = true;
  constexpr bool publish = true;
  at(E::session_started, {"session_started", log, publish, {}});
  at(E::step_changed, {"step_changed", log, publish, {}});
  at(E::session_ended, {"session_ended", log, publish, {}});
  at(E::session_paused, {"session_paused", log, publish, {}});
  at(E::session_resumed, {"session_resumed", log, publish, {}});
  at(E::intensity_adjusted, {"intensity_adjusted", log, publish, {}});
  at(E::limit_clamped, {"limit_clamped", log, publish, {}});
  at(E::trigger_applied, {"trigger_applied", log, publish, {}});
  at(E::trigger_ended, {"trigger_ended", log, publish, {}});
  at(E::session_note, {"session_note", log, publish, kNoteText});
  at(E::session_response, {"session_response", log, publish, {}});
  at(E::interlock_tripped, {"interlock_tripped", log, publish, {}});
  at(E::interlock_cleared, {"interlock_cleared", log, publish, {}});
  at(E::interlock_reset, {"interlock_reset", log, publish, {}});
  at(E::command_refused, {"command_refused", log, publish, {}});
  at(E::command_refusals_unrecorded, {"command_refusals_unrecorded", log, publish, {}});
  at(E::config_loaded, {"config_loaded", log, publish, {}});
  at(E::config_reloaded, {"config_reloaded", log, publish, {}});
  at(E::config_reload_refused, {"config_reload_refused", log, publish, {}});
  // Said when the log cannot be written: it can only go to the tablets.
  at(E::session_log_failed, {"session_log_failed", !log, publish, {}});
  at(E::session_log_records_lost, {"session_log_records_lost", log, publish, {}});
  at(E::profile_saved, {"profile_saved", log, publish, {}});
  at(E::profile_deleted, {"profile_deleted", log, publish, {}});
  at(E::child_plan_saved, {"child_plan_saved", log, publish, {}});
  at(E::safety_check_passed, {"safety_check_passed", log, publish, {}});
  at(E::validation_signed, {"validation_signed", log, publish, {}});
  at(E::watchdog_confirmed, {"watchdog_confirmed", log, publish, {}});
  return rules;
}();

constexpr bool every_type_named() {
  for (const auto& rules : kRules) {
    if (rules.name.empty()) return false;
  }
  return true;
}
static_assert(every_type_named(), "every EventType needs its rules in kRules");

}  // namespace

const EventRules& rules_of(EventType type) {
  return kRules[index_of(type)];
}

std::string_view name_of(EventType type) {
  return kRules[index_of(type)].name;
}

std::optional<EventType> event_named(std::string_view name) {
  for (std::size_t i = 0; i < kRules.size(); ++i) {
    if (kRules[i].name == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

}  // namespace sensoryd
