#include "sensoryctl/ctl_args.hpp"

#include "daemon/session/action.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

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
         "  status                    the room's session, safety and devices, then exit\n"
         "  watch [--count N]         print everything the room publishes\n"
         "defaults: --broker tcp://127.0.0.1:1883 --room room-1 --timeout 5\n"
         "a secure room: --broker ssl://HOST:8883 --ca-file ca.pem --username USER\n"
         "  --password-file FILE; commands then go on sensoryd/ROOM/user/USER/cmd/...\n"
         "exit codes: 0 done, 1 refused by sensoryd (the reply says why), 64 usage,\n"
         "            69 broker unreachable or no reply in time\n";
}

std::variant<CtlRequest, UsageError> parse_args(const std::vector<std::string>& args) {
  CtlRequest request;
  json body = json::object();
  // Option values are taken as text and checked below, so each mistake gets its own words.
  CLI::App app{"sensoryctl: the command-line client of a sensoryd room", "sensoryctl"};
  app.set_help_flag();
  app.allow_extras();  // reported below as unknown options or unexpected words
  // An option given twice takes its last value, as a shell user expects.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::string timeout, therapist, child, intensity_text, count, session, before, after, goal,
      goal_progress, base_version, profile_version;
  std::vector<std::string> positional;
  app.add_option("--broker", request.broker);
  app.add_option("--room", request.room);
  app.add_option("--timeout", timeout);
  app.add_option("--therapist", therapist);
  app.add_option("--child", child);
  app.add_option("--intensity", intensity_text);
  app.add_option("--count", count);
  app.add_option("--session", session);
  app.add_option("--before", before);
  app.add_option("--after", after);
  app.add_option("--goal", goal);
  app.add_option("--goal-progress", goal_progress);
  app.add_option("--base-version", base_version);
  app.add_option("--profile-version", profile_version);
  app.add_option("--username", request.username);
  app.add_option("--password-file", request.password_file);
  app.add_option("--ca-file", request.ca_file);
  app.add_option("command", positional)
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
    positional.push_back(extra);
  }
  if (app.count("--timeout") > 0) {
    auto seconds = number(timeout);
    if (!seconds || *seconds <= 0 || *seconds > 600) {
      return UsageError{"--timeout takes seconds, e.g. 5"};
    }
    request.timeout = std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
  }
  if (request.username.empty() != request.password_file.empty()) {
    return UsageError{"--username and --password-file go together"};
  }
  if (app.count("--therapist") > 0) body["therapist"] = therapist;
  if (app.count("--child") > 0) body["child"] = child;
  if (app.count("--intensity") > 0) {
    auto value = number(intensity_text);
    if (!value || *value < 0 || *value > 1) {
      return UsageError{"--intensity takes a number from 0 to 1"};
    }
    body["intensity"] = *value;
  }
  if (app.count("--count") > 0) {
    auto value = number(count);
    if (!value || *value < 1) return UsageError{"--count takes a number of messages"};
    request.watch_count = static_cast<int>(*value);
  }
  // A whole number within [low, high] into the payload's `field`, or a usage error.
  auto scale = [&](const char* option, const std::string& text, int low, int high,
                   const char* field) -> std::optional<UsageError> {
    if (app.count(option) == 0) return std::nullopt;
    auto value = number(text);
    if (!value || *value != std::floor(*value) || *value < low || *value > high) {
      return UsageError{std::string{option} + " takes a whole number from " + std::to_string(low) +
                        " to " + std::to_string(high)};
    }
    body[field] = static_cast<int>(*value);
    return std::nullopt;
  };
  if (auto e = scale("--before", before, 1, 5, "before")) return *e;
  if (auto e = scale("--after", after, 1, 5, "after")) return *e;
  if (auto e = scale("--goal-progress", goal_progress, -2, 2, "goal_progress")) return *e;
  if (auto e = scale("--base-version", base_version, 0, 1'000'000, "base_version")) return *e;
  if (auto e = scale("--profile-version", profile_version, 1, 1'000'000, "version")) return *e;
  if (app.count("--goal") > 0) body["goal"] = goal;
  if (app.count("--session") > 0) body["session_id"] = session;
  if (positional.empty()) return UsageError{"which command? e.g. sensoryctl status"};
  request.action = positional[0];
  std::size_t expected = 1;
  if (request.action == "start") {
    if (positional.size() < 2)
      return UsageError{"start needs a profile id: sensoryctl start calm-down"};
    body["profile"] = positional[1];
    expected = 2;
  } else if (request.action == "adjust") {
    auto intensity = positional.size() >= 2 ? number(positional[1]) : std::nullopt;
    if (!intensity || *intensity < 0 || *intensity > 1) {
      return UsageError{"adjust needs an intensity from 0 to 1: sensoryctl adjust 0.5"};
    }
    body["intensity"] = *intensity;
    expected = 2;
  } else if (request.action == "note") {
    if (positional.size() < 2 || positional[1].empty()) {
      return UsageError{"note needs its text, quoted: sensoryctl note \"calmer after the swing\""};
    }
    body["text"] = positional[1];
    expected = 2;
  } else if (request.action == "response") {
    if (body.contains("goal") != body.contains("goal_progress")) {
      return UsageError{"--goal and --goal-progress go together"};
    }
    if (!body.contains("before") && !body.contains("after") && !body.contains("goal_progress")) {
      return UsageError{
          "response needs --before or --after (1-5, 3 = regulated), or --goal with "
          "--goal-progress"};
    }
  } else if (is_one_of(request.action, {"profile_validate", "profile_save"})) {
    if (positional.size() < 2) {
      return UsageError{request.action +
                        " needs the profile's file: sensoryctl profile_save calm-slower.json"};
    }
    request.profile_file = positional[1];
    expected = 2;
  } else if (request.action == "profile_preview") {
    if (positional.size() < 2) {
      return UsageError{
          "profile_preview needs a profile's file or id: sensoryctl profile_preview "
          "calm-down"};
    }
    const std::string& what = positional[1];
    bool file = what.ends_with(".json") || what.ends_with(".toml");
    if (file) {
      request.profile_file = what;
    } else {
      body["profile_id"] = what;
    }
    expected = 2;
  } else if (is_one_of(request.action, {"child_plan_save", "child_plan_history"})) {
    bool save = request.action == "child_plan_save";
    if (positional.size() < (save ? 3u : 2u)) {
      return UsageError{save ? "child_plan_save needs the child and the plan's file: sensoryctl "
                               "child_plan_save c-022 plan.json"
                             : "child_plan_history needs the child: sensoryctl "
                               "child_plan_history c-022"};
    }
    body["child"] = positional[1];
    if (save) {
      request.profile_file = positional[2];
      request.form_key = "plan";
    }
    expected = save ? 3 : 2;
  } else if (is_one_of(request.action, {"profile_history", "profile_restore", "profile_delete"})) {
    if (positional.size() < 2) {
      return UsageError{request.action + " needs a profile id: sensoryctl " + request.action +
                        " calm-slower"};
    }
    body["profile_id"] = positional[1];
    expected = 2;
    bool restore = request.action == "profile_restore";
    if (restore && !body.contains("version")) {
      return UsageError{"profile_restore needs --profile-version N, the version to bring back"};
    }
    if (request.action != "profile_history" && !body.contains("base_version")) {
      return UsageError{request.action +
                        " needs --base-version N, the latest version you have seen "
                        "(sensoryctl profile_history ID lists them)"};
    }
  } else if (!action_from_name(request.action) && !is_one_of(request.action, {"status", "watch"})) {
    // Every action of the API (daemon/session/action.hpp), and sensoryctl's own two.
    return UsageError{"unknown command '" + request.action + "': use status, watch, " +
                      action_list()};
  }
  if (positional.size() > expected) {
    return UsageError{"unexpected '" + positional[expected] + "' after " + request.action};
  }
  if (app.count("--child") > 0 &&
      !is_one_of(request.action, {"start", "profile_validate", "profile_preview"})) {
    return UsageError{"--child goes with start, profile_validate or profile_preview"};
  }
  if (body.contains("intensity") &&
      !is_one_of(request.action, {"start", "adjust", "profile_preview"})) {
    return UsageError{"--intensity goes with start or profile_preview"};
  }
  if (request.watch_count != 0 && request.action != "watch") {
    return UsageError{"--count goes with watch"};
  }
  for (const char* option : {"--before", "--after", "--goal", "--goal-progress"}) {
    if (app.count(option) > 0 && request.action != "response") {
      return UsageError{std::string{option} + " goes with response"};
    }
  }
  if (body.contains("session_id") && request.action != "note" && request.action != "response") {
    return UsageError{"--session goes with note or response"};
  }
  if (body.contains("base_version") &&
      !is_one_of(request.action,
                 {"profile_save", "profile_restore", "profile_delete", "child_plan_save"})) {
    return UsageError{
        "--base-version goes with profile_save, profile_restore, profile_delete or "
        "child_plan_save"};
  }
  if (body.contains("version") &&
      !is_one_of(request.action, {"profile_history", "profile_restore", "child_plan_history"})) {
    return UsageError{
        "--profile-version goes with profile_history, profile_restore or child_plan_history"};
  }
  request.body = body.dump();
  return request;
}

}  // namespace sensoryd::ctl
