#include "sensoryctl/ctl_args.hpp"

#include "daemon/session/action.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace sensoryd::ctl {

namespace {

using json = nlohmann::json;

bool is_one_of(const std::string& word, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (word == w) return true;
  }
  return false;
}

std::optional<double> number(const std::string& text) {
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used != text.size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string usage() {
  return "usage: sensoryctl [--broker URI] [--room ID] [--timeout SECONDS] [--therapist NAME]\n"
         "                  [--username USER --password-file FILE] [--ca-file CA.pem]\n"
         "                  COMMAND [ARGS]\n"
         "commands:\n"
         "  start PROFILE [--child ID] [--intensity 0..1]\n"
         "  stop | pause | resume | next | previous | go | lease | estop | reset\n"
         "  adjust INTENSITY          scale the running session, 0..1\n"
         "  note TEXT [--session ID]  a note for the running session (or the last, up to 30 min\n"
         "                            after it ended); no names: children go by pseudonym\n"
         "  response [--before 1..5] [--after 1..5] [--goal NAME --goal-progress -2..2]\n"
         "           [--session ID]   the child's regulation (3 = regulated), a goal's progress\n"
         "  profile_validate FILE     check a profile (its JSON form, or a profile's .toml)\n"
         "  profile_save FILE [--base-version N]   save it (N: the version you opened; 0: new)\n"
         "  profile_history ID [--profile-version N]   its versions, or one version's content\n"
         "  profile_restore ID --profile-version N --base-version LATEST\n"
         "  profile_delete ID --base-version LATEST\n"
         "  profile_preview FILE|ID [--child ID] [--intensity 0..1]   what the room would do,\n"
         "                            computed: nothing moves\n"
         "  child_plan_save CHILD FILE [--base-version N]   a child's plan (JSON or TOML)\n"
         "  child_plan_history CHILD [--profile-version N]\n"
         "  check INPUT               a guided check of the E-stop or door INPUT: press and\n"
         "                            release it (open and close the door) after this\n"
         "  validate                  sign the room's safety configuration in force, once\n"
         "                            checked against sensoryd --validation-report\n"
         "  status                    the room's session, safety and devices, then exit\n"
         "  watch [--count N]         print everything the room publishes\n"
         "defaults: --broker tcp://127.0.0.1:1883 --room room-1 --timeout 5\n"
         "a secure room: --broker ssl://HOST:8883 --ca-file ca.pem --username USER\n"
         "  --password-file FILE; commands then go on sensoryd/ROOM/user/USER/cmd/...\n"
         "exit codes: 0 done, 1 refused by sensoryd (the reply says why), 64 usage,\n"
         "            69 broker unreachable or no reply in time\n";
}

namespace {

// The command line as CLI11 read it: each option given (by name, its last value as text) and
// the words that are not options.
struct CommandLine {
  std::map<std::string, std::string> options;
  std::vector<std::string> words;

  bool given(const std::string& option) const { return options.contains(option); }
  const std::string& text(const std::string& option) const { return options.at(option); }
};

// Every option sensoryctl takes; each one's value is checked by read_options or the action.
constexpr const char* kOptions[] = {
    "--broker",        "--room",          "--timeout",      "--therapist",       "--child",
    "--intensity",     "--count",         "--session",      "--before",          "--after",
    "--goal",          "--goal-progress", "--base-version", "--profile-version", "--username",
    "--password-file", "--ca-file"};

std::variant<CommandLine, UsageError> read_command_line(const std::vector<std::string>& args) {
  // Option values are taken as text and checked afterwards, so each mistake gets its own words.
  CLI::App app{"sensoryctl: the command-line client of a sensoryd room", "sensoryctl"};
  app.set_help_flag();
  app.allow_extras();  // reported below as unknown options or unexpected words
  // An option given twice takes its last value, as a shell user expects.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::map<std::string, std::string> values;
  for (const char* option : kOptions) app.add_option(option, values[option]);
  CommandLine line;
  app.add_option("command", line.words)
      ->expected(0, 2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::ArgumentMismatch& error) {
    std::string what = error.what();
    return UsageError{what.substr(0, what.find(':')) + " needs a value"};
  } catch (const CLI::ParseError& error) {
    return UsageError{error.what()};
  }
  for (const auto& extra : app.remaining()) {
    if (extra.rfind("--", 0) == 0) return UsageError{"unknown option " + extra};
    line.words.push_back(extra);
  }
  for (const char* option : kOptions) {
    if (app.count(option) > 0) line.options[option] = values[option];
  }
  return line;
}

// The options' values into the request and the command's payload, each checked.
std::optional<UsageError> read_options(const CommandLine& line, CtlRequest& request, json& body) {
  auto copy = [&](const char* option, std::string& into) {
    if (line.given(option)) into = line.text(option);
  };
  copy("--broker", request.broker);
  copy("--room", request.room);
  copy("--username", request.username);
  copy("--password-file", request.password_file);
  copy("--ca-file", request.ca_file);
  if (request.username.empty() != request.password_file.empty()) {
    return UsageError{"--username and --password-file go together"};
  }
  if (line.given("--timeout")) {
    auto seconds = number(line.text("--timeout"));
    if (!seconds || *seconds <= 0 || *seconds > 600) {
      return UsageError{"--timeout takes seconds, e.g. 5"};
    }
    request.timeout = std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
  }
  if (line.given("--count")) {
    auto value = number(line.text("--count"));
    if (!value || *value < 1) return UsageError{"--count takes a number of messages"};
    request.watch_count = static_cast<int>(*value);
  }
  if (line.given("--intensity")) {
    auto value = number(line.text("--intensity"));
    if (!value || *value < 0 || *value > 1) {
      return UsageError{"--intensity takes a number from 0 to 1"};
    }
    body["intensity"] = *value;
  }
  for (auto [option, field] : {std::pair{"--therapist", "therapist"},
                               {"--child", "child"},
                               {"--goal", "goal"},
                               {"--session", "session_id"}}) {
    if (line.given(option)) body[field] = line.text(option);
  }
  // Whole numbers within [low, high] into the payload's field.
  struct Scale {
    const char* option;
    int low, high;
    const char* field;
  };
  for (const Scale& s : {Scale{"--before", 1, 5, "before"}, Scale{"--after", 1, 5, "after"},
                         Scale{"--goal-progress", -2, 2, "goal_progress"},
                         Scale{"--base-version", 0, 1'000'000, "base_version"},
                         Scale{"--profile-version", 1, 1'000'000, "version"}}) {
    if (!line.given(s.option)) continue;
    auto value = number(line.text(s.option));
    if (!value || *value != std::floor(*value) || *value < s.low || *value > s.high) {
      return UsageError{std::string{s.option} + " takes a whole number from " +
                        std::to_string(s.low) + " to " + std::to_string(s.high)};
    }
    body[s.field] = static_cast<int>(*value);
  }
  return std::nullopt;
}

// The action's own words (a profile, a file, a child...) into the request; how many words the
// command line may have, or a usage error.
std::variant<std::size_t, UsageError> read_action_words(const std::vector<std::string>& words,
                                                        CtlRequest& request, json& body) {
  const std::string& action = request.action;
  if (action == "start") {
    if (words.size() < 2) return UsageError{"start needs a profile id: sensoryctl start calm-down"};
    body["profile"] = words[1];
    return 2u;
  }
  if (action == "check") {
    if (words.size() < 2) {
      return UsageError{"check needs the input to check: sensoryctl check estop"};
    }
    body["input"] = words[1];
    return 2u;
  }
  if (action == "adjust") {
    auto intensity = words.size() >= 2 ? number(words[1]) : std::nullopt;
    if (!intensity || *intensity < 0 || *intensity > 1) {
      return UsageError{"adjust needs an intensity from 0 to 1: sensoryctl adjust 0.5"};
    }
    body["intensity"] = *intensity;
    return 2u;
  }
  if (action == "note") {
    if (words.size() < 2 || words[1].empty()) {
      return UsageError{"note needs its text, quoted: sensoryctl note \"calmer after the swing\""};
    }
    body["text"] = words[1];
    return 2u;
  }
  if (action == "response") {
    if (body.contains("goal") != body.contains("goal_progress")) {
      return UsageError{"--goal and --goal-progress go together"};
    }
    if (!body.contains("before") && !body.contains("after") && !body.contains("goal_progress")) {
      return UsageError{
          "response needs --before or --after (1-5, 3 = regulated), or --goal with "
          "--goal-progress"};
    }
    return 1u;
  }
  if (is_one_of(action, {"profile_validate", "profile_save"})) {
    if (words.size() < 2) {
      return UsageError{action +
                        " needs the profile's file: sensoryctl profile_save calm-slower.json"};
    }
    request.profile_file = words[1];
    return 2u;
  }
  if (action == "profile_preview") {
    if (words.size() < 2) {
      return UsageError{
          "profile_preview needs a profile's file or id: sensoryctl profile_preview "
          "calm-down"};
    }
    const std::string& what = words[1];
    if (what.ends_with(".json") || what.ends_with(".toml")) {
      request.profile_file = what;
    } else {
      body["profile_id"] = what;
    }
    return 2u;
  }
  if (action == "child_plan_save") {
    if (words.size() < 3) {
      return UsageError{
          "child_plan_save needs the child and the plan's file: sensoryctl child_plan_save c-022 "
          "plan.json"};
    }
    body["child"] = words[1];
    request.profile_file = words[2];
    request.form_key = "plan";
    return 3u;
  }
  if (action == "child_plan_history") {
    if (words.size() < 2) {
      return UsageError{"child_plan_history needs the child: sensoryctl child_plan_history c-022"};
    }
    body["child"] = words[1];
    return 2u;
  }
  if (is_one_of(action, {"profile_history", "profile_restore", "profile_delete"})) {
    if (words.size() < 2) {
      return UsageError{action + " needs a profile id: sensoryctl " + action + " calm-slower"};
    }
    body["profile_id"] = words[1];
    if (action == "profile_restore" && !body.contains("version")) {
      return UsageError{"profile_restore needs --profile-version N, the version to bring back"};
    }
    if (action != "profile_history" && !body.contains("base_version")) {
      return UsageError{action +
                        " needs --base-version N, the latest version you have seen "
                        "(sensoryctl profile_history ID lists them)"};
    }
    return 2u;
  }
  if (!action_from_name(action) && !is_one_of(action, {"status", "watch"})) {
    // Every action of the API (daemon/session/action.hpp), and sensoryctl's own two.
    return UsageError{"unknown command '" + action + "': use status, watch, " + action_list()};
  }
  return 1u;
}

// Options that only some commands take, and which ones.
struct OptionUse {
  const char* option;
  std::vector<const char*> actions;
};
const std::vector<OptionUse>& option_uses() {
  static const std::vector<OptionUse> uses{
      {"--child", {"start", "profile_validate", "profile_preview"}},
      {"--intensity", {"start", "profile_preview"}},
      {"--count", {"watch"}},
      {"--before", {"response"}},
      {"--after", {"response"}},
      {"--goal", {"response"}},
      {"--goal-progress", {"response"}},
      {"--session", {"note", "response"}},
      {"--base-version", {"profile_save", "profile_restore", "profile_delete", "child_plan_save"}},
      {"--profile-version", {"profile_history", "profile_restore", "child_plan_history"}},
  };
  return uses;
}

// "--child goes with start, profile_validate or profile_preview" for an option given to a
// command that does not take it.
std::optional<UsageError> check_options_fit(const CommandLine& line, const std::string& action) {
  for (const OptionUse& use : option_uses()) {
    if (!line.given(use.option)) continue;
    bool fits = false;
    std::string list;
    for (std::size_t i = 0; i < use.actions.size(); ++i) {
      fits = fits || action == use.actions[i];
      if (i > 0) list += i + 1 == use.actions.size() ? " or " : ", ";
      list += use.actions[i];
    }
    if (!fits) return UsageError{std::string{use.option} + " goes with " + list};
  }
  return std::nullopt;
}

}  // namespace

std::variant<CtlRequest, UsageError> parse_args(const std::vector<std::string>& args) {
  auto read = read_command_line(args);
  if (auto* e = std::get_if<UsageError>(&read)) return *e;
  const CommandLine& line = std::get<CommandLine>(read);
  CtlRequest request;
  json body = json::object();
  if (auto e = read_options(line, request, body)) return *e;
  if (line.words.empty()) return UsageError{"which command? e.g. sensoryctl status"};
  request.action = line.words[0];
  auto expected = read_action_words(line.words, request, body);
  if (auto* e = std::get_if<UsageError>(&expected)) return *e;
  if (std::size_t most = std::get<std::size_t>(expected); line.words.size() > most) {
    return UsageError{"unexpected '" + line.words[most] + "' after " + request.action};
  }
  if (auto e = check_options_fit(line, request.action)) return *e;
  request.body = body.dump();
  return request;
}

}  // namespace sensoryd::ctl
