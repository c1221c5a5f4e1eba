#include "daemon/session/child_rules.hpp"

#include <algorithm>

namespace sensoryd {

namespace {

bool uses_strobe(const config::Profile& profile) {
  auto strobe = [](const config::LightSetting& l) {
    return l.effect == config::LightEffect::strobe;
  };
  auto in_steps = [&](const std::vector<config::Step>& steps) {
    return std::any_of(steps.begin(), steps.end(), [&](const config::Step& s) {
      return std::any_of(s.lights.begin(), s.lights.end(), strobe);
    });
  };
  bool in_triggers =
      std::any_of(profile.triggers.begin(), profile.triggers.end(), [&](const config::Trigger& t) {
        return std::any_of(t.lights.begin(), t.lights.end(), strobe);
      });
  return in_steps(profile.steps) || in_steps(profile.wind_down) || in_triggers;
}

bool uses_rotary(const config::Profile& profile) {
  auto rotary = [](const config::Step& s) {
    return s.swing && s.swing->mode == config::SwingMode::rotary;
  };
  return std::any_of(profile.steps.begin(), profile.steps.end(), rotary) ||
         std::any_of(profile.wind_down.begin(), profile.wind_down.end(), rotary);
}

}  // namespace

std::optional<std::string> contraindication(const config::Profile& profile,
                                            const config::Child& child) {
  if (!child.profiles.empty() &&
      std::find(child.profiles.begin(), child.profiles.end(), profile.id) == child.profiles.end()) {
    return "profile '" + profile.id + "' is not among the profiles approved for child " + child.id +
           ": pick an approved one, or ask the clinical lead to add it";
  }
  if ((child.has(config::ChildFlag::photosensitive) || child.has(config::ChildFlag::epilepsy)) &&
      uses_strobe(profile)) {
    return "profile '" + profile.id + "' uses a strobe effect and child " + child.id +
           " is flagged photosensitive: pick a profile without strobe";
  }
  if ((child.has(config::ChildFlag::vestibular_sensitive) || child.rotary_allowed == false) &&
      uses_rotary(profile)) {
    return "profile '" + profile.id +
           "' spins the swing and rotary swing is not allowed for child " + child.id +
           ": pick a profile with linear swing only";
  }
  return std::nullopt;
}

}  // namespace sensoryd
