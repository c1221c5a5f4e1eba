#include "daemon/session/validation_state.hpp"

#include "daemon/session/utc_time.hpp"

namespace sensoryd {

ValidationState::ValidationState(std::string safety_sha256, bool required, const History& history,
                                 WallClock::time_point loaded_at)
    : safety_sha256_(std::move(safety_sha256)), required_(required), last_(history.last) {
  if (last_ && last_->safety_sha256 != safety_sha256_) {
    changed_at_ = history.changed_at ? *history.changed_at : loaded_at;
  }
}

ValidationState::SignOff ValidationState::sign(const std::string& by, WallClock::time_point now) {
  last_ = SignOff{by, now, safety_sha256_};
  changed_at_.reset();
  return *last_;
}

std::optional<ValidationState::WallClock::time_point> ValidationState::outdated_since() const {
  if (!last_ || current()) return std::nullopt;
  return changed_at_;
}

std::optional<std::string> ValidationState::refusal() const {
  if (!required_ || current()) return std::nullopt;
  std::string ask =
      ": a technician checks the room against `sensoryd --validation-report`, then sends "
      "validate (docs/validation.md)";
  if (!last_) return "this room requires a validated safety configuration and has none yet" + ask;
  auto since = outdated_since();
  return "the safety configuration changed since it was validated by " + last_->by + " on " +
         utc_text(last_->at, UtcPrecision::seconds) +
         (since ? " (outdated since " + utc_text(*since, UtcPrecision::seconds) + ")" : "") + ask;
}

}  // namespace sensoryd
