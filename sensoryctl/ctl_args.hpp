// sensoryctl's command line: which action, with which fields, to which room and broker.
// Pure, so every usage error can be tested without a broker.
#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace sensoryd::ctl {

struct CtlRequest {
  std::string broker = "tcp://127.0.0.1:1883";
  std::string room = "room-1";
  std::chrono::milliseconds timeout{5000};
  std::string action;       // a command (start, stop, ...), or "status" / "watch"
  std::string body = "{}";  // the command's JSON payload
  int watch_count = 0;      // watch: stop after this many messages (0: until interrupted)
  // profile_validate / profile_save / profile_preview: the profile's file (its JSON form, or a
  // profile's TOML); child_plan_save: the plan's. Read and put into the body under `form_key`
  // (profile, plan) by sensoryctl before it is sent.
  std::string profile_file;
  std::string form_key = "profile";
  // A secure room's broker (docs/security.md): the account, a file holding its password, and
  // the room's CA for ssl:// brokers. With a user name, commands go on the user's own path.
  std::string username;
  std::string password_file;
  std::string ca_file;
};

struct UsageError {
  std::string message;
};

std::variant<CtlRequest, UsageError> parse_args(const std::vector<std::string>& args);
std::string usage();

}  // namespace sensoryd::ctl
