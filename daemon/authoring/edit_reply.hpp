// What every authoring command shares (profiles and children's plans): the request as it
// arrived (EditRequest), what the authoring thread answers (EditResult), reading a command's
// body, and the shapes of its answers, so each editor says only what is its own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "config/profile_form.hpp"
#include "daemon/authoring/profile_store.hpp"
#include "daemon/session/action.hpp"

namespace sensoryd::authoring {

struct EditRequest {
  Action action = Action::profile_validate;
  std::string payload;            // the command's JSON, as it arrived
  std::size_t payload_bytes = 0;  // its size as it arrived, when the link kept no more
  std::string author;             // who sent it: the broker user, else the payload's therapist
};

struct EditResult {
  std::string request_id;
  bool ok = false;
  std::string code;      // when refused (docs/mqtt-api.md)
  std::string message;   // what to change, when refused
  nlohmann::json reply;  // the reply's fields besides request_id and ok (errors included)
  // A save or restore: the profile now in force, checked, with its file's place and origin.
  std::optional<config::Profile> saved;
  std::string deleted;  // a deletion: the id no longer in force
  // A child's plan saved: the child as it is now in force.
  std::optional<config::Child> plan;
  // For the clinical log, when something was written: what, by whom, and what changed.
  std::optional<nlohmann::json> record;
};

// A command's body, read: its JSON object, request_id and author.
struct EditBody {
  nlohmann::json body;
  std::string request_id;
  std::string author;  // the broker user; on the open path whom the payload names; "unnamed"
};
// The body, or the refusal (bad_request) of a command too large or not a JSON object.
std::variant<EditBody, EditResult> read_edit(const EditRequest& request);

EditResult refused(const std::string& request_id, std::string code, std::string message,
                   nlohmann::json details = nlohmann::json::object());
EditResult done(const std::string& request_id, nlohmann::json fields);
// A whole number field of the command, at least `min`; `fallback` when absent and allowed.
std::optional<int> whole(const nlohmann::json& body, const char* key, int min,
                         std::optional<int> fallback);
// Form errors as the reply's `fields`: [{pointer, message}].
nlohmann::json fields_of(const std::vector<config::FormError>& errors);
// A form refused with every error at its field (`code`: invalid_profile, invalid_plan).
EditResult invalid(const std::string& code, const std::vector<config::FormError>& errors);
// A store's refusal, with the latest version (a conflict says whose save came first).
EditResult store_refused(const ProfileStore& store, const StoreError& error, const std::string& id,
                         const std::string& what);

}  // namespace sensoryd::authoring
