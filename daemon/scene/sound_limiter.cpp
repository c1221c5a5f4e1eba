#include "daemon/scene/sound_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sensoryd {

namespace {
using Seconds = std::chrono::duration<double>;
}

SoundLimiter::SoundLimiter(const config::SoundLimits& limits, config::Calibration calibration)
    : limits_(limits), calibration_(std::move(calibration)) {}

void SoundLimiter::set_child_cap(std::optional<double> max_dba) {
  child_cap_ = max_dba;
}

double SoundLimiter::cap_dba() const {
  return child_cap_ ? std::min(*child_cap_, limits_.max_dba) : limits_.max_dba;
}

SoundLimiter::Output SoundLimiter::update(const SoundLevel& wanted, bool mute_now,
                                          Clock::time_point now) {
  // The quietest the player can be while playing: where a fade in starts and a fade out ends.
  double floor = calibration_.dba_at(0.0);
  double dt = last_ ? std::max(0.0, Seconds(now - *last_).count()) : 0.0;
  last_ = now;
  Output out;
  if (wanted.playing && !mute_now && wanted.level_dba > floor) {
    double target = wanted.level_dba;
    if (target > cap_dba()) {
      target = cap_dba();
      out.clamped = true;
    }
    // A smooth ramp at the slew rate, and never more than the rate's worth above anything
    // sent in the last second: the player's whole volume steps then never add up to more.
    double from = playing_ ? level_ : floor;
    double ramp = target > from ? std::min(target, from + limits_.max_rise_db_s * dt) : target;
    // sent_ keeps the levels of the last second in rising order: its front is their lowest.
    double lowest_sent = sent_.empty() ? ramp : std::min(ramp, sent_.front().second);
    level_ = std::min(ramp, lowest_sent + limits_.max_rise_db_s);
    playing_ = true;
    source_ = wanted.source;
    mute_started_.reset();
  } else if (playing_) {
    // Fading out: straight down to the floor within mute_fade (S3), never slower.
    if (!mute_started_) {
      mute_started_ = now;
      mute_from_ = level_;
    }
    double fade = Seconds(limits_.mute_fade).count();
    double f = fade <= 0.0 ? 1.0 : Seconds(now - *mute_started_).count() / fade;
    double faded = mute_from_ - (mute_from_ - floor) * std::min(f, 1.0);
    // A quieter wanted level (the profile's own fade out) is followed at once.
    if (wanted.playing && !mute_now) faded = std::min(faded, std::max(wanted.level_dba, floor));
    level_ = std::min(level_, faded);  // a fade out never turns anything up
    if (f >= 1.0) {
      playing_ = false;
      level_ = 0.0;
    }
  }
  out.command.playing = playing_;
  out.command.source = source_;
  // Rounded down: a volume step up could put the level at the listener above the cap.
  out.command.volume_pct = playing_ ? std::floor(calibration_.volume_for(level_)) : 0.0;
  double sent = calibration_.dba_at(out.command.volume_pct);  // silence counts as the floor
  out.level_dba = playing_ ? sent : 0.0;
  while (!sent_.empty() && now - sent_.front().first > std::chrono::seconds(1)) sent_.pop_front();
  // A level sent before and no lower than this one can no longer be the last second's lowest:
  // this one is lower (or as low) and stays in the second longer. Each tick costs O(1).
  while (!sent_.empty() && sent_.back().second >= sent) sent_.pop_back();
  sent_.emplace_back(now, sent);
  return out;
}

}  // namespace sensoryd
