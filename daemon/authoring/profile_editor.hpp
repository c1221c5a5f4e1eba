// The profile commands (docs/profiles.md, docs/mqtt-api.md): profile_validate, profile_preview,
// profile_save, profile_delete, profile_history and profile_restore, each carried out against
// the room as it is and answered with a result for the logic thread to apply and send. A form is
// checked by the room's own loader (config::check_profile_form) before anything is written; the
// room's profiles are never changed here, only duplicated. Nothing here touches equipment: a
// preview is computed (daemon/preview).
// One owner at a time (the authoring thread); time is not read.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
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
  // For the clinical log, when something was written: what, by whom, and what changed.
  std::optional<nlohmann::json> record;
};

class ProfileEditor {
 public:
  // `store` outlives the editor. `tick`: the room's control tick, which previews compute at.
  explicit ProfileEditor(ProfileStore& store,
                         std::chrono::milliseconds tick = std::chrono::milliseconds{20})
      : store_(store), tick_(tick) {}

  // Carries out one request against `room` (its devices, limits and every profile in force).
  EditResult handle(const EditRequest& request, const config::Room& room);

 private:
  EditResult validate(const nlohmann::json& body, const config::Room& room);
  EditResult preview(const nlohmann::json& body, const config::Room& room);
  EditResult save(const nlohmann::json& body, const std::string& author, const config::Room& room);
  EditResult remove(const nlohmann::json& body, const std::string& author,
                    const config::Room& room);
  EditResult history(const nlohmann::json& body);
  EditResult restore(const nlohmann::json& body, const std::string& author,
                     const config::Room& room);

  // A store's refusal, with the latest version (a conflict says whose save came first).
  EditResult store_refused(const StoreError& error, const std::string& id) const;
  // A profile saved or restored as `stored`: in force from now, and recorded.
  static EditResult in_force(const StoredVersion& stored, config::Profile profile,
                             const std::string& author, const std::string& summary);

  ProfileStore& store_;
  std::chrono::milliseconds tick_;
};

}  // namespace sensoryd::authoring
