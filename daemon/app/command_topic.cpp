#include "daemon/app/command_topic.hpp"

namespace sensoryd {

namespace {

// A topic level that names something: not empty, no separator and no wildcard.
bool plain_level(std::string_view level) {
  return !level.empty() && level.find_first_of("/+#") == std::string_view::npos;
}

}  // namespace

std::optional<CommandTopic> parse_command_topic(std::string_view topic,
                                                std::string_view room_prefix) {
  if (!topic.starts_with(room_prefix)) return std::nullopt;
  std::string_view rest = topic.substr(room_prefix.size());
  std::string_view user;
  constexpr std::string_view kUser = "user/";
  constexpr std::string_view kCmd = "cmd/";
  if (rest.starts_with(kUser)) {
    rest.remove_prefix(kUser.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    user = rest.substr(0, slash);
    if (!plain_level(user)) return std::nullopt;
    rest.remove_prefix(slash + 1);
  }
  if (!rest.starts_with(kCmd)) return std::nullopt;
  rest.remove_prefix(kCmd.size());
  if (!plain_level(rest)) return std::nullopt;
  return CommandTopic{rest, user};
}

}  // namespace sensoryd
