#include "daemon/authoring/child_caps.hpp"

#include <string>

namespace sensoryd::authoring {

namespace {

std::string number(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// The pointer of step `index`'s light setting `light` in `list` ("steps" or "wind_down"): a
// step's `lights` is one table or an array of them in the form.
std::string light_pointer(const nlohmann::json& form, const char* list, std::size_t index,
                          std::size_t light) {
  std::string pointer = "/" + std::string{list} + "/" + std::to_string(index) + "/lights";
  const auto* steps = form.contains(list) ? &form.at(list) : nullptr;
  bool is_array = steps != nullptr && steps->is_array() && index < steps->size() &&
                  steps->at(index).contains("lights") && steps->at(index).at("lights").is_array();
  return is_array ? pointer + "/" + std::to_string(light) : pointer;
}

void check_steps(const nlohmann::json& form, const char* list,
                 const std::vector<config::Step>& steps, const config::Child& child,
                 std::vector<config::FormError>& errors) {
  bool rotary_ruled_out =
      child.has(config::ChildFlag::vestibular_sensitive) || child.rotary_allowed == false;
  bool strobe_ruled_out =
      child.has(config::ChildFlag::photosensitive) || child.has(config::ChildFlag::epilepsy);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const config::Step& step = steps[i];
    std::string at = "/" + std::string{list} + "/" + std::to_string(i);
    if (step.swing && step.swing->mode == config::SwingMode::linear && child.max_amplitude_deg &&
        step.swing->amplitude_deg > *child.max_amplitude_deg) {
      errors.push_back({at + "/swing/amplitude_deg",
                        "amplitude_deg " + number(step.swing->amplitude_deg) + " is over child " +
                            child.id + "'s cap of " + number(*child.max_amplitude_deg) +
                            " degrees: the swing would be held to the cap; use at most that"});
    }
    if (step.swing && step.swing->mode == config::SwingMode::rotary && rotary_ruled_out) {
      errors.push_back({at + "/swing/mode", "rotary swing is not allowed for child " + child.id +
                                                ": use linear or off"});
    }
    for (std::size_t j = 0; j < step.lights.size(); ++j) {
      const config::LightSetting& light = step.lights[j];
      std::string pointer = light_pointer(form, list, i, j);
      if (child.max_brightness_pct && light.brightness_pct > *child.max_brightness_pct) {
        errors.push_back({pointer + "/brightness",
                          "brightness " + number(light.brightness_pct) + "% is over child " +
                              child.id + "'s cap of " + number(*child.max_brightness_pct) +
                              "%: use at most that"});
      }
      if (light.effect == config::LightEffect::strobe && strobe_ruled_out) {
        errors.push_back({pointer + "/effect", "child " + child.id +
                                                   " is flagged photosensitive: use an effect "
                                                   "other than strobe"});
      }
    }
    if (step.sound && !step.sound->mute && child.max_dba &&
        step.sound->level_dba > *child.max_dba) {
      errors.push_back({at + "/sound/level", "level " + number(step.sound->level_dba) +
                                                 " dB is over child " + child.id + "'s cap of " +
                                                 number(*child.max_dba) + " dB: use at most that"});
    }
  }
}

}  // namespace

std::vector<config::FormError> child_cap_errors(const nlohmann::json& form,
                                                const config::Profile& profile,
                                                const config::Child& child) {
  std::vector<config::FormError> errors;
  check_steps(form, "steps", profile.steps, child, errors);
  check_steps(form, "wind_down", profile.wind_down, child, errors);
  return errors;
}

}  // namespace sensoryd::authoring
