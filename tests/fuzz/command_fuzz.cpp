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
  static const char* kActions[] = {"start", "stop", "go", "pause", "estop", "dance"};
  std::string_view action = kActions[data[0] % 6];
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
    if (command.start.intensity < 0.0 || command.start.intensity > 1.0) __builtin_trap();
    reply = sensoryd::ok_reply(command.request_id);
  }
  if (nlohmann::json::parse(reply, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
