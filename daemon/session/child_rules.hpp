// Whether a profile may run for a child: the child's approved profiles and flags (S15).
#pragma once

#include <optional>
#include <string>

#include "config/model.hpp"

namespace sensoryd {

// The reason, in words for a therapist, when the profile must not start for this child.
std::optional<std::string> contraindication(const config::Profile& profile,
                                            const config::Child& child);

}  // namespace sensoryd
