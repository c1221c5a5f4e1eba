// A profile's JSON form, as the tablet's editor sends and reads it: the profile file's keys and
// values as JSON (docs/profiles.md). A form is checked by turning it into the profile file's
// TOML and reading that with the same loader as every other profile, so both kinds get the
// same checks and messages; each error then carries the JSON pointer of its field.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/errors.hpp"
#include "config/model.hpp"

namespace sensoryd::config {

struct FormError {
  std::string pointer;  // RFC 6901, e.g. "/steps/1/swing/amplitude_deg"; "" for the whole form
  std::string message;  // the loader's message: what is wrong and what to change
};

struct FormCheck {
  std::optional<Profile> profile;  // set when the form has no errors
  std::string toml;                // the profile file a save writes, when the form converts
  std::vector<FormError> errors;
  std::vector<FormError> warnings;
};

// The largest profile command taken, its form included: sensoryd's MQTT link keeps nothing
// larger (MqttLink::kMaxInboundBytes), and 100 full steps fit well within it.
inline constexpr std::size_t kMaxProfileCommandBytes = 64 * 1024;
// Nesting deeper than this is refused before it is read (a profile needs four levels).
inline constexpr int kMaxFormDepth = 8;

// A form read by a loader: the TOML it converts to, and each of the loader's diagnostics at its
// field's pointer.
struct FormReading {
  std::string toml;  // set when the form converts
  std::vector<FormError> errors;
  std::vector<FormError> warnings;
};
// Converts `form` (a JSON object) to TOML and hands it to `read`, which reads it as the file
// `file` with its loader; the loader's diagnostics come back at their pointers.
FormReading read_form(const nlohmann::json& form, const std::filesystem::path& file,
                      const std::function<void(const std::string& toml, Diagnostics&)>& read);

// Checks `form` against `room` (its devices and limits read) as the profile file `file`.
FormCheck check_profile_form(const nlohmann::json& form, const Room& room,
                             const std::filesystem::path& file);

// The JSON form of a profile file, or nullopt when `toml_text` is not TOML.
std::optional<nlohmann::json> profile_form_from_toml(std::string_view toml_text);

}  // namespace sensoryd::config
