#include "sensoryctl/ctl_args.hpp"

#include <nlohmann/json.hpp>

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
         "                  COMMAND [ARGS]\n"
         "commands:\n"
         "  start PROFILE [--child ID] [--intensity 0..1]\n"
         "  stop | pause | resume | next | previous | go | lease | estop | reset\n"
         "  adjust INTENSITY          scale the running session, 0..1\n"
         "  status                    the room's session, safety and devices, then exit\n"
         "  watch [--count N]         print everything the room publishes\n"
         "defaults: --broker tcp://127.0.0.1:1883 --room room-1 --timeout 5\n"
         "exit codes: 0 done, 1 refused by sensoryd (the reply says why), 64 usage,\n"
         "            69 broker unreachable or no reply in time\n";
}

std::variant<CtlRequest, UsageError> parse_args(const std::vector<std::string>& args) {
  CtlRequest request;
  json body = json::object();
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool is_option = arg.rfind("--", 0) == 0;
    if (!is_option) {
      positional.push_back(arg);
      continue;
    }
    if (i + 1 >= args.size()) return UsageError{arg + " needs a value"};
    const std::string& value = args[++i];
    if (arg == "--broker") {
      request.broker = value;
    } else if (arg == "--room") {
      request.room = value;
    } else if (arg == "--timeout") {
      auto seconds = number(value);
      if (!seconds || *seconds <= 0 || *seconds > 600) {
        return UsageError{"--timeout takes seconds, e.g. 5"};
      }
      request.timeout = std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
    } else if (arg == "--therapist") {
      body["therapist"] = value;
    } else if (arg == "--child") {
      body["child"] = value;
    } else if (arg == "--intensity") {
      auto intensity = number(value);
      if (!intensity || *intensity < 0 || *intensity > 1) {
        return UsageError{"--intensity takes a number from 0 to 1"};
      }
      body["intensity"] = *intensity;
    } else if (arg == "--count") {
      auto count = number(value);
      if (!count || *count < 1) return UsageError{"--count takes a number of messages"};
      request.watch_count = static_cast<int>(*count);
    } else {
      return UsageError{"unknown option " + arg};
    }
  }
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
  } else if (!is_one_of(request.action, {"stop", "pause", "resume", "next", "previous", "go",
                                         "lease", "estop", "reset", "status", "watch"})) {
    return UsageError{"unknown command '" + request.action + "'"};
  }
  if (positional.size() > expected) {
    return UsageError{"unexpected '" + positional[expected] + "' after " + request.action};
  }
  if (body.contains("child") && request.action != "start") {
    return UsageError{"--child goes with start"};
  }
  if (body.contains("intensity") && request.action != "start" && request.action != "adjust") {
    return UsageError{"--intensity goes with start"};
  }
  if (request.watch_count != 0 && request.action != "watch") {
    return UsageError{"--count goes with watch"};
  }
  request.body = body.dump();
  return request;
}

}  // namespace sensoryd::ctl
