// A child's plan in its JSON form, as the tablet's plan editor sends it (docs/profiles.md,
// "Children's plans"): the keys of a [children.<id>] table. Checked as the room file's children
// are, by the same reader (config/children_loader), and against the profiles in force: a plan
// may approve only profiles that exist. Each error carries its field's JSON pointer.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/model.hpp"
#include "config/profile_form.hpp"

namespace sensoryd::config {

struct PlanCheck {
  std::optional<Child> child;  // set when the plan has no errors
  std::string toml;            // the plan file a save writes, when the form converts
  std::vector<FormError> errors;
  std::vector<FormError> warnings;
};

// Checks the plan `form` for child `id` against `room` (its limits and profiles) as `file`.
PlanCheck check_plan_form(const nlohmann::json& form, const std::string& id, const Room& room,
                          const std::filesystem::path& file);

}  // namespace sensoryd::config
