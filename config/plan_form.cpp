#include "config/plan_form.hpp"

#include <nlohmann/json.hpp>

#include "config/children_loader.hpp"

namespace sensoryd::config {

PlanCheck check_plan_form(const nlohmann::json& form, const std::string& id, const Room& room,
                          const std::filesystem::path& file) {
  PlanCheck check;
  auto reading = read_form(form, file, [&](const std::string& toml, Diagnostics& diagnostics) {
    check.child = load_child_plan(toml, file, id, room, diagnostics);
  });
  check.toml = std::move(reading.toml);
  check.errors = std::move(reading.errors);
  check.warnings = std::move(reading.warnings);
  if (check.child) {
    for (std::size_t i = 0; i < check.child->profiles.size(); ++i) {
      const std::string& profile = check.child->profiles[i];
      if (room.profiles.count(profile) != 0) continue;
      check.errors.push_back({"/profiles/" + std::to_string(i),
                              "there is no profile \"" + profile +
                                  "\" in this room: approve one that exists (see the profiles "
                                  "list), or save the profile first"});
    }
  }
  if (!check.errors.empty()) check.child.reset();
  return check;
}

}  // namespace sensoryd::config
