#include "daemon/session/safety_checks.hpp"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "daemon/session/utc_time.hpp"

namespace sensoryd {

namespace {

std::vector<FunctionalChecks::Input> checked_inputs(const config::CheckLimits& limits,
                                                    const SafetySupervisor& supervisor) {
  std::vector<FunctionalChecks::Input> inputs;
  for (const auto& input : supervisor.inputs()) {
    if (!input->is_safety_input()) continue;
    bool door = input->role() == config::InputRole::door;
    inputs.push_back(
        {input->id(), input->role(), door ? limits.door_interval : limits.estop_interval});
  }
  // E-stops first: a start refused for two checks names the E-stop's.
  std::stable_sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) {
    return a.role == config::InputRole::estop && b.role != config::InputRole::estop;
  });
  return inputs;
}

std::string noun(config::InputRole role) {
  return role == config::InputRole::door ? "door" : "E-stop";
}

// "press and release" / "open and close": what a check asks of the user.
std::string gesture(config::InputRole role) {
  return role == config::InputRole::door ? "open and close" : "press and release";
}

}  // namespace

SafetyChecks::SafetyChecks(const config::CheckLimits& limits, SafetySupervisor& supervisor,
                           FunctionalChecks::StartOfDay start_of_day,
                           std::function<Clock::time_point()> clock)
    : supervisor_(supervisor),
      checks_(checked_inputs(limits, supervisor), std::move(start_of_day)),
      clock_(std::move(clock)) {}

void SafetyChecks::restore(const std::vector<FunctionalChecks::Pass>& passes) {
  for (const auto& pass : passes) checks_.restore(pass);
}

bool SafetyChecks::observe(Clock::time_point now, WallClock::time_point wall_now) {
  for (const auto& input : supervisor_.inputs()) {
    if (!input->is_safety_input()) continue;
    if (!checks_.observe(input->id(), input->fresh(), input->active(), now)) continue;
    // The press is seen: the drive's stop written again, its acknowledgement the evidence.
    std::string id = input->id();
    supervisor_.confirm_stop([this, id](bool acknowledged) {
      checks_.stop_written(id, acknowledged, clock_());
      if (!acknowledged) {
        spdlog::warn("check of {}: the drive did not acknowledge the stop write; not passed", id);
      }
    });
  }
  checks_.expire_guides(now);
  for (const auto& pass : checks_.take_passes(wall_now)) {
    spdlog::info("check of {} passed ({}): press -> stop write {:.1f} ms", pass.input,
                 pass.by.empty() ? "seen in use" : "guided by " + pass.by, pass.press_to_stop_ms);
    Fields fields{{"input", pass.input},
                  {"role", std::string{config::to_string(pass.role)}},
                  {"by", pass.by},
                  {"guided", !pass.by.empty()},
                  {"press_to_stop_ms", std::round(pass.press_to_stop_ms * 10.0) / 10.0},
                  {"checked_at", utc_text(pass.at)}};
    records_.push_back(Record{EventType::safety_check_passed, std::move(fields)});
  }
  return shown_changed(wall_now);
}

std::vector<Record> SafetyChecks::take_records() {
  std::vector<Record> out;
  out.swap(records_);
  return out;
}

bool SafetyChecks::shown_changed(WallClock::time_point wall_now) {
  auto statuses = checks_.status(wall_now);
  bool changed = statuses.size() != last_shown_.size();
  if (changed) last_shown_.resize(statuses.size());
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const auto& s = statuses[i];
    Shown now{s.stage, s.guided_by, s.due,
              s.last ? std::optional<WallClock::time_point>{s.last->at} : std::nullopt};
    if (now == last_shown_[i]) continue;
    last_shown_[i] = std::move(now);
    changed = true;
  }
  return changed;
}

std::optional<SafetyChecks::Refusal> SafetyChecks::guide(const std::string& input,
                                                         const std::string& user,
                                                         Clock::time_point now) {
  if (checks_.empty()) {
    return Refusal{"unknown_input", "this room has no E-stop or door input to check"};
  }
  auto result = checks_.guide(input, user, now);
  if (!result.ok) return Refusal{result.code, result.message};
  spdlog::info("check of {}: guided by {}, waiting for the press", input, user);
  last_shown_.clear();  // published with the next observation
  return std::nullopt;
}

std::optional<SafetyChecks::Refusal> SafetyChecks::due(WallClock::time_point wall_now) const {
  auto due = checks_.first_due(wall_now);
  if (!due) return std::nullopt;
  const auto& input = due->input;
  std::string what = "the " + noun(input.role) + " '" + input.id + "'";
  std::string ask = gesture(input.role) + " it to check it";
  if (!due->last) {
    return Refusal{"check_due", what + " has not been checked on this room's computer yet: " + ask +
                                    " before the first session (docs/safety.md S21)"};
  }
  std::string by = due->last->by.empty() ? "in use" : "by " + due->last->by;
  return Refusal{"check_due", what + " was last checked " +
                                  utc_text(due->last->at, UtcPrecision::seconds) + " (" + by +
                                  "): " + ask + " before today's first session"};
}

}  // namespace sensoryd
