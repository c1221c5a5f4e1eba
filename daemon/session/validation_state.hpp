// S22: whether the room's safety configuration is the one a technician validated. A sign-off
// (`validate`) records who and the safety SHA-256 (config::Fingerprint::safety_sha256: the room
// file and device templates); when the configuration in force hashes otherwise, the validation
// is outdated, since the first configuration that did. With `[limits.checks] require_validation`
// a start is refused until someone signs again. Pure: wall time passed in.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sensoryd {

class ValidationState {
 public:
  using WallClock = std::chrono::system_clock;

  struct SignOff {
    std::string by;
    WallClock::time_point at;
    std::string safety_sha256;
  };
  // What the clinical log says: the last sign-off, and when a configuration that hashed otherwise
  // was first loaded after it.
  struct History {
    std::optional<SignOff> last;
    std::optional<WallClock::time_point> changed_at;
  };

  // `loaded_at`: when the configuration in force was loaded (its outdating time when the log has
  // none).
  ValidationState(std::string safety_sha256, bool required, const History& history,
                  WallClock::time_point loaded_at);

  // A sign-off of the configuration in force, by `by`.
  SignOff sign(const std::string& by, WallClock::time_point now);

  const std::string& safety_sha256() const { return safety_sha256_; }
  bool required() const { return required_; }
  const std::optional<SignOff>& last() const { return last_; }
  // The configuration in force is the one last signed.
  bool current() const { return last_ && last_->safety_sha256 == safety_sha256_; }
  // Since when it is not (none when current or never signed).
  std::optional<WallClock::time_point> outdated_since() const;
  // Why a start is refused (`validation_required`), when the room requires a current
  // validation and it is not; none otherwise.
  std::optional<std::string> refusal() const;

 private:
  std::string safety_sha256_;
  bool required_;
  std::optional<SignOff> last_;
  std::optional<WallClock::time_point> changed_at_;
};

}  // namespace sensoryd
