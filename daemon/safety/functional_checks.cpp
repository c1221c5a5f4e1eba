#include "daemon/safety/functional_checks.hpp"

#include <ctime>

namespace sensoryd {

namespace {

using namespace std::chrono_literals;

std::string input_noun(config::InputRole role) {
  return role == config::InputRole::door ? "door" : "E-stop";
}

}  // namespace

const char* to_string(FunctionalChecks::Stage stage) {
  switch (stage) {
    case FunctionalChecks::Stage::unknown:
      return "unknown";
    case FunctionalChecks::Stage::ready:
      return "ready";
    case FunctionalChecks::Stage::pressed:
      return "pressed";
    case FunctionalChecks::Stage::stop_written:
      return "stop_written";
    case FunctionalChecks::Stage::stop_unconfirmed:
      return "stop_unconfirmed";
  }
  return "unknown";
}

FunctionalChecks::FunctionalChecks(std::vector<Input> inputs, StartOfDay start_of_day)
    : start_of_day_(std::move(start_of_day)) {
  for (auto& input : inputs) {
    Check check;
    check.input = std::move(input);
    checks_.push_back(std::move(check));
  }
}

FunctionalChecks::WallClock::time_point FunctionalChecks::local_day_start(WallClock::time_point t) {
  std::time_t seconds = WallClock::to_time_t(t);
  std::tm local{};
  localtime_r(&seconds, &local);
  local.tm_hour = 0;
  local.tm_min = 0;
  local.tm_sec = 0;
  local.tm_isdst = -1;  // whatever holds at that midnight
  return WallClock::from_time_t(std::mktime(&local));
}

FunctionalChecks::Check* FunctionalChecks::find(const std::string& id) {
  for (auto& check : checks_) {
    if (check.input.id == id) return &check;
  }
  return nullptr;
}

void FunctionalChecks::restore(const Pass& pass) {
  Check* check = find(pass.input);
  if (check == nullptr) return;  // an input the room no longer has
  if (!check->last || check->last->at < pass.at) set_last(*check, pass);
}

bool FunctionalChecks::observe(const std::string& id, bool fresh, bool safe_state,
                               Clock::time_point now) {
  Check* check = find(id);
  if (check == nullptr) return false;
  if (!fresh) {
    // A stale reading is evidence of nothing: the check starts again from a normal reading.
    if (check->stage != Stage::unknown) check->stage = Stage::unknown;
    return false;
  }
  switch (check->stage) {
    case Stage::unknown:
      // First seen pressed (at start, or back from stale): not a transition this check saw.
      if (!safe_state) check->stage = Stage::ready;
      return false;
    case Stage::ready:
      if (!safe_state) return false;
      check->stage = Stage::pressed;
      check->pressed_at = now;
      return true;
    case Stage::pressed:
      // Released before the drive confirmed the stop: no evidence of the stop, no pass.
      if (!safe_state) check->stage = Stage::ready;
      return false;
    case Stage::stop_written:
      if (safe_state) return false;
      check->stage = Stage::ready;
      check->passed_now = true;
      return false;
    case Stage::stop_unconfirmed:
      if (!safe_state) check->stage = Stage::ready;
      return false;
  }
  return false;
}

void FunctionalChecks::stop_written(const std::string& id, bool ok, Clock::time_point at) {
  Check* check = find(id);
  if (check == nullptr || check->stage != Stage::pressed) return;
  if (!ok) {
    check->stage = Stage::stop_unconfirmed;
    return;
  }
  check->stage = Stage::stop_written;
  check->press_to_stop_ms =
      std::chrono::duration<double, std::milli>(at - check->pressed_at).count();
}

std::vector<FunctionalChecks::Pass> FunctionalChecks::take_passes(WallClock::time_point wall_now) {
  std::vector<Pass> passes;
  for (auto& check : checks_) {
    if (!check.passed_now) continue;
    check.passed_now = false;
    Pass pass{check.input.id, check.input.role, wall_now, check.guided_by, check.press_to_stop_ms};
    check.guided_by.clear();
    set_last(check, pass);
    passes.push_back(std::move(pass));
  }
  return passes;
}

FunctionalChecks::GuideResult FunctionalChecks::guide(const std::string& id,
                                                      const std::string& user,
                                                      Clock::time_point now) {
  Check* check = find(id);
  if (check == nullptr) {
    std::string known;
    for (const auto& c : checks_) known += (known.empty() ? "" : ", ") + c.input.id;
    return {false, "unknown_input",
            "there is no safety input '" + id + "' to check" +
                (known.empty() ? std::string{": this room has none"} : "; this room has " + known)};
  }
  std::string noun = input_noun(check->input.role);
  if (check->stage == Stage::unknown) {
    return {false, "release_first",
            "the " + noun + " '" + id + "' reads " +
                (check->input.role == config::InputRole::door ? "open" : "pressed") +
                " or has no current reading: " +
                (check->input.role == config::InputRole::door ? "close it" : "release it") +
                " first, so that the check sees it go"};
  }
  if (check->stage != Stage::ready) {
    return {false, "release_first",
            "the " + noun + " '" + id + "' is being checked: " +
                (check->input.role == config::InputRole::door ? "close it" : "release it") +
                " to finish"};
  }
  check->guided_by = user;
  check->guided_at = now;
  return {true, {}, {}};
}

void FunctionalChecks::expire_guides(Clock::time_point now) {
  for (auto& check : checks_) {
    if (!check.guided_by.empty() && check.stage == Stage::ready &&
        now - check.guided_at > kGuideTimeout) {
      check.guided_by.clear();
    }
  }
}

FunctionalChecks::Status FunctionalChecks::status_of(const Check& check,
                                                     WallClock::time_point wall_now) const {
  Status status{check.input, check.stage, check.guided_by, check.last, std::nullopt, false};
  if (!check.input.interval) return status;  // off
  if (!check.last) {
    status.due = true;  // never checked (on this computer's log)
    return status;
  }
  status.due_at = check.due_at;
  status.due = wall_now >= *check.due_at;
  return status;
}

void FunctionalChecks::set_last(Check& check, const Pass& pass) {
  check.last = pass;
  if (!check.input.interval) return;
  auto ends = pass.at + *check.input.interval;
  check.due_at = *check.input.interval >= 24h ? start_of_day_(ends) : ends;
}

std::optional<FunctionalChecks::Status> FunctionalChecks::first_due(
    WallClock::time_point wall_now) const {
  for (const auto& check : checks_) {
    auto status = status_of(check, wall_now);
    if (status.due) return status;
  }
  return std::nullopt;
}

std::vector<FunctionalChecks::Status> FunctionalChecks::status(
    WallClock::time_point wall_now) const {
  std::vector<Status> out;
  for (const auto& check : checks_) out.push_back(status_of(check, wall_now));
  return out;
}

}  // namespace sensoryd
