// libFuzzer target for a profile's JSON form (docs/profiles.md), as a tablet's editor sends it:
// any bytes must give either a profile or errors, each at a pointer that names a place in the
// form, never a crash, hang or leak; and a profile the form gives reads back the same from the
// TOML a save would write.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/profile_form.hpp"
#include "config/profile_loader.hpp"
#include "tests/fuzz/example_room.hpp"

using sensoryd::fuzz::example_room;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto form = nlohmann::json::parse(text, nullptr, false);
  if (form.is_discarded()) return 0;
  auto check = sensoryd::config::check_profile_form(form, example_room(), "fuzz-form.toml");
  if (!check.profile && check.errors.empty()) __builtin_trap();
  for (const auto& error : check.errors) {
    // A pointer is empty (the whole form) or names a place: it starts with '/'.
    if (!error.pointer.empty() && error.pointer[0] != '/') __builtin_trap();
  }
  if (check.profile) {
    sensoryd::config::Diagnostics diagnostics;
    auto again =
        sensoryd::config::load_profile(check.toml, "fuzz-form.toml", example_room(), diagnostics);
    if (!again || !(*again == *check.profile)) __builtin_trap();
  }
  return 0;
}
