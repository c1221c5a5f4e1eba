#include "daemon/preview/profile_preview.hpp"

#include <cmath>
#include <memory>

#include <spdlog/spdlog.h>

#include "daemon/preview/computed_devices.hpp"
#include "daemon/record/dose.hpp"
#include "daemon/record/dose_sampler.hpp"
#include "daemon/record/status_json.hpp"
#include "daemon/record/time_series.hpp"
#include "daemon/scene/scene_devices.hpp"
#include "daemon/scene/scene_planner.hpp"
#include "daemon/scene/scene_records.hpp"
#include "daemon/session/child_rules.hpp"
#include "daemon/session/session_control.hpp"

namespace sensoryd::preview {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A computed session is not the room's: nothing of it goes to the journal.
std::shared_ptr<spdlog::logger> silent_logger() {
  auto logger = std::make_shared<spdlog::logger>("preview");
  logger->set_level(spdlog::level::off);
  return logger;
}

Command command(Action action, CommandPayload payload = {}) {
  Command c;
  c.action = action;
  c.therapist = "preview";
  c.payload = std::move(payload);
  return c;
}

// How long a session can last at most: the room's cap, each wait for Go held `go_after`, and
// the wind-down after the cap (each wind-down step may wait for Go too).
Clock::duration longest(const config::Room& room, const config::Profile& profile,
                        const PreviewRequest& request) {
  Clock::duration wind_down{};
  for (const auto& step : profile.wind_down) {
    wind_down += step.duration.value_or(config::Millis{0}) + request.go_after;
  }
  return room.limits.session.max_duration + wind_down + 10s;
}

struct ComputedRoom {
  config::Room room;
  SessionEngine engine;
  std::unique_ptr<SafetySupervisor> supervisor;
  std::unique_ptr<SessionControl> control;
  std::unique_ptr<SceneGuard> scene;
  std::unique_ptr<ScenePlanner> planner;

  explicit ComputedRoom(config::Room computed) : room(std::move(computed)), engine(room.id) {
    const config::Device& swing = *room.devices_of(config::DeviceKind::swing_drive).front();
    supervisor = std::make_unique<SafetySupervisor>(
        room.limits, std::make_unique<ComputedDrive>(swing.id, *swing.as<config::SwingDrive>()));
    control = std::make_unique<SessionControl>(room, engine, *supervisor, silent_logger());
    std::vector<std::unique_ptr<devices::LightFixture>> lights;
    for (const config::Device* device : room.devices_of(config::DeviceKind::light)) {
      lights.push_back(std::make_unique<ComputedLight>(device->id));
    }
    std::vector<SceneGuard::Player> players;
    for (const config::Device* device : room.devices_of(config::DeviceKind::sound)) {
      players.push_back(
          {std::make_unique<ComputedPlayer>(device->id), sound_calibration(room, *device)});
    }
    scene = std::make_unique<SceneGuard>(room, std::move(lights), std::move(players));
    planner = std::make_unique<ScenePlanner>(room);
  }
};

double rounded(double value, double per_unit) {
  return std::round(value * per_unit) / per_unit;
}

}  // namespace

std::variant<Preview, PreviewError> compute_preview(const config::Room& room,
                                                    const config::Profile& profile,
                                                    const PreviewRequest& request) {
  if (!(request.intensity > 0.0 && request.intensity <= 1.0)) {
    return PreviewError{"bad_request", "intensity must be more than 0 and at most 1"};
  }
  if (request.go_after < 0s || request.go_after > kMaxGoAfter) {
    return PreviewError{"bad_request", "go_after_s must be from 0 to " +
                                           std::to_string(kMaxGoAfter.count()) + " seconds"};
  }
  if (room.devices_of(config::DeviceKind::swing_drive).empty()) {
    return PreviewError{"bad_request", "this room has no swing drive to preview against"};
  }
  Preview preview;
  preview.profile_id = profile.id;
  preview.child = request.child;
  preview.intensity = request.intensity;
  config::Room computed = room;
  computed.profiles.insert_or_assign(profile.id, profile);
  if (!request.child.empty()) {
    const config::Child* child = room.find_child(request.child);
    if (child == nullptr) {
      return PreviewError{"unknown_child", "there is no child '" + request.child +
                                               "' in this room's configuration: check the id"};
    }
    // The child's flags decide whether the profile may run at all; the plan's list of
    // approved profiles only whether it may run yet: the preview shows what it would give.
    config::Child unlisted = *child;
    unlisted.profiles.clear();
    if (auto reason = contraindication(profile, unlisted)) {
      return PreviewError{"contraindicated", *reason};
    }
    if (auto reason = contraindication(profile, *child)) preview.not_approved = *reason;
    computed.children.insert_or_assign(child->id, unlisted);
  }

  ComputedRoom r(std::move(computed));
  for (const auto& light : r.scene->lights()) preview.lights.push_back(light->id());
  for (const auto& player : r.scene->players()) preview.players.push_back(player.device->id());

  Clock::time_point t{1h};
  const Clock::time_point start = t;
  r.control->tick(t);
  Outcome started = r.control->execute(
      command(Action::start, StartFields{profile.id, request.child, request.intensity}), t,
      std::chrono::system_clock::time_point{});
  if (!started.ok) return PreviewError{started.code, started.message};
  r.control->take_records();  // the start itself is not an event of the timeline

  DoseMeter meter;
  DoseSampler sampler(*r.supervisor, *r.scene);
  sampler.begin(meter);
  const bool leased = r.supervisor->lease_length_s().has_value();
  const double tick_s = std::chrono::duration<double>(request.tick).count();
  const auto bound = start + longest(r.room, profile, request);
  std::optional<Clock::time_point> waiting_since;
  auto next_sample = start;
  auto seconds_at = [&start](Clock::time_point at) {
    return std::chrono::duration<double>(at - start).count();
  };

  while (true) {
    const SessionState state = r.engine.state();
    if (t >= next_sample || state == SessionState::idle) {
      PreviewSample sample;
      sample.t_s = seconds_at(t);
      if (state != SessionState::idle) {
        sample.step = r.engine.snapshot(t).step_name;
        sample.wind_down = state == SessionState::winding_down;
      }
      sample.swing = r.supervisor->swing_output();
      for (std::size_t i = 0; i < preview.lights.size(); ++i) {
        sample.lights.push_back(r.scene->shown(i));
      }
      for (std::size_t i = 0; i < preview.players.size(); ++i) {
        sample.sound_dba.push_back(r.scene->sound_level_dba(i));
      }
      preview.samples.push_back(std::move(sample));
      next_sample += 1s;
    }
    if (state == SessionState::idle || t >= bound) break;

    // The therapist at the tablet: Go after `go_after`, the lease renewed while supervising.
    if (r.engine.allows(Action::go)) {
      if (!waiting_since) waiting_since = t;
      if (t - *waiting_since >= request.go_after) {
        r.control->execute(command(Action::go), t, {});
        waiting_since.reset();
      }
    } else {
      waiting_since.reset();
    }
    if (leased) r.supervisor->renew_lease(t);

    t += request.tick;
    r.control->tick(t);
    Cue cue = r.engine.cue();
    const Scene& scene = r.planner->update(cue, {}, t);
    r.scene->update(scene, r.control->session_child(), r.supervisor->interlocks().tripped(), t);
    std::vector<Record> records = r.control->take_records();
    for (const auto& event : r.planner->take_events()) {
      if (event.kind == SceneEvent::Kind::strobe_capped) {
        records.push_back(strobe_capped_record(event.fixture, r.engine.session_id()));
      }
    }
    for (const auto& clamp : r.scene->take_clamps()) {
      records.push_back(clamp_record(clamp, r.engine.session_id()));
    }
    for (auto& record : records) {
      if (record.type == EventType::session_ended) preview.ended = record.fields.text("reason");
      preview.events.push_back(PreviewEvent{seconds_at(t), std::move(record)});
    }
    if (meter.active()) {
      meter.add(sampler.fill(tick_s, r.engine.state() == SessionState::paused));
    }
  }
  if (preview.ended.empty()) preview.ended = "preview_bound";
  preview.duration_s = seconds_at(t);
  preview.dose = dose_json(meter.summary(), kDoseFromPreview);
  return preview;
}

namespace {

// The samples as columns, every `every`th one (and the last): numbers a second each, and what
// seldom changes (a swing's mode and direction, a light's colour) as [t, value] at each change.
nlohmann::json sample_columns(const Preview& preview, std::size_t every) {
  using nlohmann::json;
  json t = json::array();
  json amplitude = json::array();
  json period = json::array();
  json speed = json::array();
  json mode = json::array();
  json direction = json::array();
  json lights = json::object();
  json sound = json::object();
  for (const auto& id : preview.lights) {
    lights[id] = {{"brightness_pct", json::array()}, {"color", json::array()}};
  }
  for (const auto& id : preview.players) sound[id] = {{"level_dba", json::array()}};
  std::string last_mode;
  std::string last_direction;
  std::vector<std::string> last_color(preview.lights.size());
  for (std::size_t n = 0; n < preview.samples.size(); ++n) {
    if (n % every != 0 && n + 1 != preview.samples.size()) continue;
    const PreviewSample& s = preview.samples[n];
    double at = rounded(s.t_s, 100.0);
    t.push_back(at);
    amplitude.push_back(rounded(s.swing.amplitude_deg, 100.0));
    period.push_back(rounded(s.swing.period_s, 100.0));
    speed.push_back(rounded(s.swing.speed_rev_s, 1000.0));
    std::string m = s.swing.enabled ? swing_mode_name(s.swing.mode) : "off";
    if (m != last_mode) mode.push_back({at, last_mode = m});
    std::string d = config::to_string(s.swing.direction);
    if (d != last_direction) direction.push_back({at, last_direction = d});
    for (std::size_t i = 0; i < preview.lights.size(); ++i) {
      json& light = lights[preview.lights[i]];
      light["brightness_pct"].push_back(rounded(s.lights[i].brightness_pct, 10.0));
      std::string color = hex_color(s.lights[i].color);
      if (color != last_color[i]) light["color"].push_back({at, last_color[i] = color});
    }
    for (std::size_t i = 0; i < preview.players.size(); ++i) {
      sound[preview.players[i]]["level_dba"].push_back(rounded(s.sound_dba[i], 10.0));
    }
  }
  return {{"sample_period_s", every},
          {"t", std::move(t)},
          {"swing",
           {{"amplitude_deg", std::move(amplitude)},
            {"period_s", std::move(period)},
            {"speed_rev_s", std::move(speed)},
            {"mode", std::move(mode)},
            {"direction", std::move(direction)}}},
          {"lights", std::move(lights)},
          {"sound", std::move(sound)}};
}

}  // namespace

nlohmann::json preview_json(const Preview& preview) {
  using nlohmann::json;
  json steps = json::array();
  std::string last_step;
  bool last_wind_down = false;
  for (const auto& s : preview.samples) {
    if (s.step.empty() || (s.step == last_step && s.wind_down == last_wind_down)) continue;
    steps.push_back({{"t", rounded(s.t_s, 100.0)}, {"name", s.step}, {"wind_down", s.wind_down}});
    last_step = s.step;
    last_wind_down = s.wind_down;
  }
  json events = json::array();
  for (const auto& e : preview.events) {
    json event = json::parse(fields_json(e.record.fields));
    event.erase("session_id");  // a computed session has none
    event["t"] = rounded(e.t_s, 100.0);
    event["type"] = name_of(e.record.type);
    events.push_back(std::move(event));
  }
  json j{{"profile_id", preview.profile_id},
         {"child", preview.child.empty() ? json(nullptr) : json(preview.child)},
         {"intensity", preview.intensity},
         {"approved", preview.not_approved.empty()},
         {"duration_s", rounded(preview.duration_s, 100.0)},
         {"ended", preview.ended},
         {"steps", std::move(steps)},
         {"events", std::move(events)},
         {"dose", json::parse(preview.dose)}};
  if (!preview.not_approved.empty()) j["not_approved"] = preview.not_approved;
  // One sample a second, unless the reply would not fit the bound: then every second one, and
  // so on (sample_period_s says which).
  std::size_t rest = j.dump().size();
  std::size_t every = 1;
  json samples = sample_columns(preview, every);
  while (rest + samples.dump().size() > kMaxPreviewReplyBytes && every < preview.samples.size()) {
    every = std::max<std::size_t>(every + 1,
                                  every * (rest + samples.dump().size()) / kMaxPreviewReplyBytes);
    samples = sample_columns(preview, every);
  }
  j["samples"] = std::move(samples);
  return j;
}

}  // namespace sensoryd::preview
