// libFuzzer target for tablet command payloads: any bytes on any action must give a command or
// an error with a code and a message, and a reply that is itself valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "daemon/session/command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* kActions[] = {"start",  "stop", "go",    "pause",    "estop",
                                   "adjust", "note", "lease", "response", "dance"};
  std::string_view action = kActions[data[0] % 10];
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto now = std::chrono::system_clock::time_point{std::chrono::seconds(1'795'836'131)};
  auto parsed = sensoryd::parse_command(action, payload, now);
  std::string reply;
  if (auto* error = std::get_if<sensoryd::CommandError>(&parsed)) {
    if (error->code.empty() || error->message.empty()) __builtin_trap();
    reply = sensoryd::error_reply(*error);
  } else {
    const auto& command = std::get<sensoryd::Command>(parsed);
    if (sensoryd::to_string(command.action) != action) __builtin_trap();
    // Each action carries its own fields, in range, and no other's.
    auto in_range = [](double v) { return v >= 0.0 && v <= 1.0; };
    switch (command.action) {
      case sensoryd::Action::start:
        if (!command.fields<sensoryd::StartFields>() ||
            !in_range(command.fields<sensoryd::StartFields>()->intensity))
          __builtin_trap();
        break;
      case sensoryd::Action::adjust:
        if (!command.fields<sensoryd::AdjustFields>() ||
            !in_range(command.fields<sensoryd::AdjustFields>()->intensity))
          __builtin_trap();
        break;
      case sensoryd::Action::note:
        if (!command.fields<sensoryd::NoteFields>() ||
            command.fields<sensoryd::NoteFields>()->text.size() > sensoryd::kMaxNoteBytes)
          __builtin_trap();
        break;
      case sensoryd::Action::response:
        if (!command.fields<sensoryd::ResponseFields>()) __builtin_trap();
        break;
      case sensoryd::Action::check:
        if (!command.fields<sensoryd::CheckFields>() ||
            command.fields<sensoryd::CheckFields>()->input.empty())
          __builtin_trap();
        break;
      default:
        if (!std::holds_alternative<std::monostate>(command.payload)) __builtin_trap();
    }
    reply = sensoryd::ok_reply(command.request_id);
  }
  if (nlohmann::json::parse(reply, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
