// Tablet commands: payload parsing into typed commands, and the reply payloads (docs/mqtt-api.md).
// Pure functions, so every malformed input can be tested without a broker.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/session/action.hpp"

namespace sensoryd {

// What each action carries besides the request id and the therapist (docs/mqtt-api.md).
struct StartFields {
  std::string profile;
  std::string child;
  double intensity = 1.0;
};

struct AdjustFields {
  double intensity = 1.0;
};

// A note for the clinical record; `session_id` names the session meant (empty: the current one).
struct NoteFields {
  std::string session_id;
  std::string text;
};

// The child's response (docs/clinical-record.md): regulation before and after on a 1-5 scale
// (1 under-responsive, 3 regulated, 5 over-responsive), and progress on a named goal on the
// Goal Attainment Scale (-2 to +2). At least one is given.
struct ResponseFields {
  std::string session_id;  // as for a note
  std::optional<int> before;
  std::optional<int> after;
  std::string goal;
  std::optional<int> goal_progress;
};

// A guided functional check (S21): which safety input the user is about to press or open.
struct CheckFields {
  std::string input;
};

// Nothing for the actions that carry no fields of their own.
using CommandPayload = std::variant<std::monostate, StartFields, AdjustFields, NoteFields,
                                    ResponseFields, CheckFields>;

struct Command {
  Action action = Action::stop;
  std::string request_id;  // echoed in the reply; may be empty
  std::string therapist;   // who issued it; may be empty
  CommandPayload payload;  // the fields of its action

  // This command's fields of type `Fields`; null when its action carries others.
  template <typename Fields>
  const Fields* fields() const {
    return std::get_if<Fields>(&payload);
  }
};

struct CommandError {
  std::string request_id;
  std::string code;  // bad_request, unknown_action, stale_command, ...
  std::string message;
};

inline constexpr std::size_t kMaxPayloadBytes = 16 * 1024;
inline constexpr int kMaxJsonDepth = 16;
inline constexpr std::chrono::seconds kMaxCommandAge{5};  // docs/safety.md S17
inline constexpr std::size_t kMaxNoteBytes = 2000;        // a note's text, in UTF-8 bytes
inline constexpr std::size_t kMaxGoalBytes = 200;         // a goal's name

// Parses the payload of `sensoryd/<room>/cmd/<action>`. An empty payload means {}.
// `received_bytes`: the payload's size as it arrived, when the link did not keep one that large
// (InboundMessage::payload_bytes); 0 means payload.size().
std::variant<Command, CommandError> parse_command(std::string_view action, std::string_view payload,
                                                  std::chrono::system_clock::time_point now,
                                                  std::size_t received_bytes = 0);

// Parses "2026-11-28T10:02:11Z" or "2026-11-28T10:02:11.250Z" (UTC only).
std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);

std::string ok_reply(const std::string& request_id, const std::string& session_id = {});
std::string error_reply(const CommandError& error);

}  // namespace sensoryd
