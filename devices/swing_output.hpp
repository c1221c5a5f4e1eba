// The only command a swing drive driver accepts. Its constructor is private to the safety
// supervisor, so nothing but the supervisor can put the swing in motion (docs/safety.md S1).
#pragma once

#include "config/model.hpp"

namespace sensoryd {
class SafetySupervisor;
}

namespace sensoryd::devices {

class SwingOutput {
 public:
  bool enabled() const { return enabled_; }
  config::SwingMode mode() const { return mode_; }
  double amplitude_deg() const { return amplitude_deg_; }
  double period_s() const { return period_s_; }
  double speed_rev_s() const { return speed_rev_s_; }
  config::Direction direction() const { return direction_; }

 private:
  friend class sensoryd::SafetySupervisor;
  SwingOutput(bool enabled, config::SwingMode mode, double amplitude_deg, double period_s,
              double speed_rev_s, config::Direction direction)
      : enabled_(enabled),
        mode_(mode),
        amplitude_deg_(amplitude_deg),
        period_s_(period_s),
        speed_rev_s_(speed_rev_s),
        direction_(direction) {}

  bool enabled_;
  config::SwingMode mode_;
  double amplitude_deg_;
  double period_s_;
  double speed_rev_s_;
  config::Direction direction_;
};

}  // namespace sensoryd::devices
