// A profile checked for one child (profile_validate with `child`): each value over the child's
// caps, and each effect the child's flags rule out, as an error at its field's pointer, in the
// words the room uses when it clamps or refuses (docs/safety.md S15). At run time the caps clamp
// and the flags refuse the start; here the therapist sees both before saving.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "config/children_model.hpp"
#include "config/profile_form.hpp"
#include "config/profile_model.hpp"

namespace sensoryd::authoring {

// `form`: the JSON form `profile` was read from (for its pointers).
std::vector<config::FormError> child_cap_errors(const nlohmann::json& form,
                                                const config::Profile& profile,
                                                const config::Child& child);

}  // namespace sensoryd::authoring
