// libFuzzer target for the configuration loader: any bytes, as a room file or as a profile,
// must give either a room or diagnostics with a place, never a crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/profile_loader.hpp"
#include "tests/fuzz/example_room.hpp"

using sensoryd::fuzz::example_room;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto result = sensoryd::config::load_room_from_string(text, "/nonexistent/fuzz-room.toml");
    if (!result.room && result.diagnostics.errors.empty()) __builtin_trap();
  } else {
    sensoryd::config::Diagnostics diagnostics;
    auto profile =
        sensoryd::config::load_profile(text, "fuzz-profile.toml", example_room(), diagnostics);
    if (!profile && diagnostics.errors.empty()) __builtin_trap();
  }
  return 0;
}
