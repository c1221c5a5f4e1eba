#include "daemon/session/command.hpp"

#include <algorithm>

#include <array>
#include <charconv>
#include <ctime>

#include <nlohmann/json.hpp>

#include "daemon/session/json_text.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

// An intensity field: a number from 0 to 1.
std::optional<double> intensity_of(const json& value) {
  if (!value.is_number()) return std::nullopt;
  double intensity = value.get<double>();
  if (!(intensity >= 0.0 && intensity <= 1.0)) return std::nullopt;
  return intensity;
}

// Deep nesting is refused before parsing, so a hostile payload cannot exhaust the stack.
bool nesting_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

CommandError bad_request(std::string request_id, std::string message) {
  return CommandError{std::move(request_id), "bad_request", std::move(message)};
}

using Parsed = std::variant<CommandPayload, CommandError>;

Parsed parse_start(const json& body, const std::string& id) {
  StartFields start;
  auto profile = body.find("profile");
  if (profile == body.end())
    return bad_request(id, "start needs a profile: add \"profile\": \"<id>\"");
  if (!profile->is_string() || profile->get<std::string>().empty()) {
    return bad_request(id, "profile must be a profile id string");
  }
  start.profile = profile->get<std::string>();
  if (auto it = body.find("child"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return bad_request(id, "child must be a string id");
    start.child = it->get<std::string>();
  }
  if (auto it = body.find("intensity"); it != body.end()) {
    auto intensity = intensity_of(*it);
    if (!intensity) return bad_request(id, "intensity must be a number from 0 to 1");
    start.intensity = *intensity;
  }
  return start;
}

Parsed parse_adjust(const json& body, const std::string& id) {
  auto it = body.find("intensity");
  if (it == body.end()) {
    return bad_request(id, "adjust needs an intensity: add \"intensity\": 0.5 (0 to 1)");
  }
  auto intensity = intensity_of(*it);
  if (!intensity) return bad_request(id, "intensity must be a number from 0 to 1");
  return AdjustFields{*intensity};
}

// A note's or response's `session_id`, when given.
std::optional<CommandError> parse_session_id(const json& body, const std::string& id,
                                             std::string& out) {
  if (auto it = body.find("session_id"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return bad_request(id, "session_id must be a session id string");
    out = it->get<std::string>();
  }
  return std::nullopt;
}

Parsed parse_note(const json& body, const std::string& id) {
  NoteFields note;
  if (auto error = parse_session_id(body, id, note.session_id)) return *error;
  auto it = body.find("text");
  if (it == body.end() || !it->is_string()) {
    return bad_request(id,
                       "note needs a text: add \"text\": \"...\" (no names: see "
                       "docs/clinical-record.md)");
  }
  note.text = it->get<std::string>();
  if (note.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return bad_request(id, "the note's text is empty: write what you observed");
  }
  if (note.text.size() > kMaxNoteBytes) {
    return CommandError{id, "note_too_long",
                        "the note is " + std::to_string(note.text.size()) + " bytes; at most " +
                            std::to_string(kMaxNoteBytes) +
                            " are kept: shorten it, or split it into two notes"};
  }
  return note;
}

Parsed parse_response(const json& body, const std::string& id) {
  ResponseFields r;
  if (auto error = parse_session_id(body, id, r.session_id)) return *error;
  auto scale = [&](const char* key, int low, int high,
                   std::optional<int>& out) -> std::optional<CommandError> {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<long long>() < low || it->get<long long>() > high) {
      return bad_request(id, std::string(key) + " must be a whole number from " +
                                 std::to_string(low) + " to " + std::to_string(high));
    }
    out = static_cast<int>(it->get<long long>());
    return std::nullopt;
  };
  if (auto error = scale("before", 1, 5, r.before)) return *error;
  if (auto error = scale("after", 1, 5, r.after)) return *error;
  if (auto error = scale("goal_progress", -2, 2, r.goal_progress)) return *error;
  if (auto it = body.find("goal"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return bad_request(id, "goal must be the goal's name, e.g. \"tolerates linear swing\"");
    }
    r.goal = it->get<std::string>();
    if (r.goal.size() > kMaxGoalBytes) {
      return bad_request(id, "the goal's name is longer than " + std::to_string(kMaxGoalBytes) +
                                 " bytes: shorten it");
    }
  }
  if (r.goal_progress.has_value() != !r.goal.empty()) {
    return bad_request(id,
                       "goal and goal_progress go together: name the goal and its progress "
                       "(-2 to +2)");
  }
  if (!r.before && !r.after && !r.goal_progress) {
    return bad_request(id,
                       "response needs before, after (1-5, 3 = regulated) or a goal with "
                       "goal_progress");
  }
  return r;
}

Parsed parse_check(const json& body, const std::string& id) {
  auto it = body.find("input");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return bad_request(id,
                       "check needs input: the id of the E-stop or door to check, e.g. "
                       "{\"input\": \"estop\"}");
  }
  return CheckFields{it->get<std::string>()};
}

// The fields of `action` from the command's body; nothing for an action without fields.
Parsed parse_payload(Action action, const json& body, const std::string& id) {
  switch (action) {
    case Action::start:
      return parse_start(body, id);
    case Action::adjust:
      return parse_adjust(body, id);
    case Action::note:
      return parse_note(body, id);
    case Action::response:
      return parse_response(body, id);
    case Action::check:
      return parse_check(body, id);
    default:
      return CommandPayload{};
  }
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len, int& out) {
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc{} && end == text.data() + pos + len;
  };
  std::tm tm{};
  if (!number(0, 4, tm.tm_year) || text[4] != '-' || !number(5, 2, tm.tm_mon) || text[7] != '-' ||
      !number(8, 2, tm.tm_mday) || text[10] != 'T' || !number(11, 2, tm.tm_hour) ||
      text[13] != ':' || !number(14, 2, tm.tm_min) || text[16] != ':' ||
      !number(17, 2, tm.tm_sec)) {
    return std::nullopt;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  int millis = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
    std::string digits{rest.substr(1)};
    digits.resize(3, '0');
    int parsed = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + 3, parsed);
    if (ec != std::errc{} || end != digits.data() + 3) return std::nullopt;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    millis = parsed;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds{millis};
}

std::variant<Command, CommandError> parse_command(std::string_view action, std::string_view payload,
                                                  std::chrono::system_clock::time_point now,
                                                  std::size_t received_bytes) {
  if (std::max(payload.size(), received_bytes) > kMaxPayloadBytes) {
    return bad_request({}, "the command is larger than " + std::to_string(kMaxPayloadBytes) +
                               " bytes: send only the documented fields");
  }
  if (!nesting_within(payload, kMaxJsonDepth)) {
    return bad_request({}, "the command is nested too deeply: send a flat JSON object");
  }
  json body = payload.empty() ? json::object() : json::parse(payload, nullptr, false);
  if (body.is_discarded()) {
    return bad_request({}, "the command is not valid JSON: send a JSON object such as {}");
  }
  if (!body.is_object()) return bad_request({}, "the command must be a JSON object such as {}");

  Command command;
  if (auto it = body.find("request_id"); it != body.end()) {
    if (!it->is_string()) return bad_request({}, "request_id must be a string");
    command.request_id = it->get<std::string>();
  }
  const std::string& id = command.request_id;
  if (auto it = body.find("therapist"); it != body.end()) {
    if (!it->is_string()) return bad_request(id, "therapist must be a string");
    command.therapist = it->get<std::string>();
  }
  if (auto it = body.find("sent_at"); it != body.end()) {
    std::optional<std::chrono::system_clock::time_point> sent;
    if (it->is_number_integer() || it->is_number_unsigned()) {
      sent = std::chrono::system_clock::time_point{std::chrono::milliseconds{it->get<long long>()}};
    } else if (it->is_string()) {
      sent = parse_utc_timestamp(it->get<std::string>());
    }
    if (!sent) {
      return bad_request(id,
                         "sent_at must be an ISO 8601 UTC time such as "
                         "\"2026-11-28T10:02:11Z\" or epoch milliseconds");
    }
    if (now - *sent > kMaxCommandAge) {
      return CommandError{id, "stale_command",
                          "the command is older than " + std::to_string(kMaxCommandAge.count()) +
                              " s and was not carried out: check the tablet's clock and "
                              "connection, then send it again"};
    }
  }

  auto known = action_from_name(action);
  if (!known) {
    return CommandError{
        id, "unknown_action",
        "'" + std::string{action} + "' is not a sensoryd command: use " + action_list()};
  }
  command.action = *known;

  auto parsed = parse_payload(command.action, body, id);
  if (auto* error = std::get_if<CommandError>(&parsed)) return *error;
  command.payload = std::get<CommandPayload>(std::move(parsed));
  return command;
}

std::string ok_reply(const std::string& request_id, const std::string& session_id) {
  json reply{{"request_id", request_id}, {"ok", true}};
  if (!session_id.empty()) reply["session_id"] = session_id;
  return json_text(reply);
}

std::string error_reply(const CommandError& error) {
  json reply{{"request_id", error.request_id},
             {"ok", false},
             {"error", {{"code", error.code}, {"message", error.message}}}};
  return json_text(reply);
}

}  // namespace sensoryd
