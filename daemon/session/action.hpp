// The tablet's commands (docs/mqtt-api.md: `sensoryd/<room>/cmd/<action>`): the one list of
// actions and their names. Header-only, so sensoryctl checks its commands against the same list
// without linking the daemon; a test checks that the API doc and the tablet page list the same.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sensoryd {

enum class Action : std::uint8_t {
  start,
  stop,
  pause,
  resume,
  next,
  previous,
  go,
  adjust,
  lease,
  estop,
  reset,
  note,
  response,
  check,     // a guided functional check of a safety input (docs/safety.md S21)
  validate,  // a technician's sign-off of the safety configuration in force (S22)
  // Authoring (docs/profiles.md): carried out by the authoring thread, never by the session.
  profile_validate,
  profile_preview,
  profile_save,
  profile_delete,
  profile_history,
  profile_restore,
  // A child's plan (approved profiles, caps, flags), by the clinical lead (docs/profiles.md).
  child_plan_save,
  child_plan_history
};
inline constexpr std::size_t kActionCount =
    static_cast<std::size_t>(Action::child_plan_history) + 1;

// Whether an action edits profiles or plans rather than acting on the room.
constexpr bool is_authoring(Action action) {
  return action >= Action::profile_validate;
}

// Each name beside its action, so the table cannot fall out of the enum's order.
inline constexpr std::array<std::string_view, kActionCount> kActionNames = [] {
  std::array<std::string_view, kActionCount> names{};
  auto at = [&names](Action action, std::string_view name) {
    names[static_cast<std::size_t>(action)] = name;
  };
  at(Action::start, "start");
  at(Action::stop, "stop");
  at(Action::pause, "pause");
  at(Action::resume, "resume");
  at(Action::next, "next");
  at(Action::previous, "previous");
  at(Action::go, "go");
  at(Action::adjust, "adjust");
  at(Action::lease, "lease");
  at(Action::estop, "estop");
  at(Action::reset, "reset");
  at(Action::note, "note");
  at(Action::response, "response");
  at(Action::check, "check");
  at(Action::validate, "validate");
  at(Action::profile_validate, "profile_validate");
  at(Action::profile_preview, "profile_preview");
  at(Action::profile_save, "profile_save");
  at(Action::profile_delete, "profile_delete");
  at(Action::profile_history, "profile_history");
  at(Action::profile_restore, "profile_restore");
  at(Action::child_plan_save, "child_plan_save");
  at(Action::child_plan_history, "child_plan_history");
  return names;
}();

constexpr std::string_view to_string(Action action) {
  // Bounded for g++ 12, whose -Warray-bounds cannot see that an Action is always in range.
  auto index = static_cast<std::size_t>(action);
  return index < kActionNames.size() ? kActionNames[index] : std::string_view{};
}

// The action named by a command topic's last level; nullopt for a name that is none.
constexpr std::optional<Action> action_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kActionNames.size(); ++i) {
    if (kActionNames[i] == name) return static_cast<Action>(i);
  }
  return std::nullopt;
}

// Every action, in the table's order.
inline constexpr std::array<Action, kActionCount> kActions = [] {
  std::array<Action, kActionCount> actions{};
  for (std::size_t i = 0; i < kActionCount; ++i) actions[i] = static_cast<Action>(i);
  return actions;
}();

// "start, stop, ..., child_plan_save or child_plan_history": for messages that list the actions.
inline std::string action_list() {
  std::string text;
  for (std::size_t i = 0; i < kActionNames.size(); ++i) {
    if (i > 0) text += i + 1 == kActionNames.size() ? " or " : ", ";
    text += kActionNames[i];
  }
  return text;
}

}  // namespace sensoryd
