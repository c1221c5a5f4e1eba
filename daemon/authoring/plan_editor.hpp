// The children's plan commands (docs/profiles.md, "Children's plans"; docs/mqtt-api.md):
// child_plan_save and child_plan_history, carried out against the room as it is. A clinical
// lead's plan (approved profiles, caps, flags) is checked by the room's own children reader and
// against the profiles in force before it is written; once saved it replaces the room file's
// entry for that child from the next session on. Nothing here touches equipment.
// One owner at a time (the authoring thread); time is not read.
#pragma once

#include "config/model.hpp"
#include "daemon/authoring/edit_reply.hpp"
#include "daemon/authoring/profile_store.hpp"

namespace sensoryd::authoring {

class PlanEditor {
 public:
  // `store` (<state dir>/children) outlives the editor.
  explicit PlanEditor(ProfileStore& store) : store_(store) {}

  EditResult handle(const EditRequest& request, const config::Room& room);

 private:
  EditResult save(const nlohmann::json& body, const std::string& author, const config::Room& room);
  EditResult history(const nlohmann::json& body);

  ProfileStore& store_;
};

}  // namespace sensoryd::authoring
