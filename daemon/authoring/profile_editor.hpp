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
#include "daemon/authoring/edit_reply.hpp"
#include "daemon/authoring/profile_store.hpp"
#include "daemon/session/action.hpp"

namespace sensoryd::authoring {

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

  // A profile saved or restored as `stored`: in force from now, and recorded.
  static EditResult in_force(const StoredVersion& stored, config::Profile profile,
                             const std::string& author, const std::string& summary);

  ProfileStore& store_;
  std::chrono::milliseconds tick_;
};

}  // namespace sensoryd::authoring
