// Reads the steps of a profile and their channel settings (swing, lights, sound), checking
// each against the room: its limits, fixtures and groups, and the profile's strobe permission.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/errors.hpp"
#include "config/model.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

class StepReader {
 public:
  // `profile` gives the id and allow_strobe; it must outlive the reader.
  StepReader(const Room& room, const Profile& profile, Diagnostics& diagnostics)
      : room_(room), profile_(profile), diagnostics_(diagnostics) {}

  std::optional<Step> step(const toml::table& table, const std::string& where, bool wind_down);
  // `lights = {...}` or `lights = [{...}, ...]` of `parent`; clears `ok` on any mistake.
  std::vector<LightSetting> lights(TableReader& parent, const std::string& where,
                                   const Fade& step_fade, std::optional<Millis> duration, bool& ok);
  std::optional<SoundSetting> sound(const toml::table& table, const std::string& where,
                                    const Fade& step_fade);
  // The device kinds the settings read so far use.
  const std::set<DeviceKind>& used() const { return used_; }

 private:
  Fade read_fade(TableReader& reader, const Fade& fallback);
  std::optional<SwingSetting> swing(const toml::table& table, const std::string& where,
                                    const Fade& step_fade);
  bool check_revolutions(const SwingSetting& swing, Millis duration, const std::string& named,
                         TableReader& reader, const toml::table& swing_table);
  std::optional<LightSetting> light(const toml::table& table, const std::string& where,
                                    const Fade& step_fade, std::optional<Millis> step_duration);

  const Room& room_;
  const Profile& profile_;
  Diagnostics& diagnostics_;
  std::set<DeviceKind> used_;
};

}  // namespace sensoryd::config
