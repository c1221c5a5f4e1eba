// App: what sensoryd tells tablets and the clinical log: retained state, and events, which the
// DurableOutbox holds until the records they speak of are on disk.
#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"
#include "daemon/record/status_json.hpp"

namespace sensoryd {

void App::publish_retained_state() {
  publish_profiles();
  publish_session();
  last_device_payloads_.clear();  // a new connection always gets the device state
  last_safety_payload_.clear();
  publish_devices();
  publish_safety();
}

void App::publish_profiles() {
  mqtt_->publish(topic_prefix_ + "profiles", profiles_json(room_.profiles), true);
  // Which profiles each child may have changes with the profiles, so it goes out with them.
  mqtt_->publish(topic_prefix_ + "children", children_json(room_), true);
}

void App::publish_session() {
  last_session_publish_ = Clock::now();
  mqtt_->publish(topic_prefix_ + "session", session_json(engine_.snapshot(Clock::now())), true);
}

void App::publish_devices() {
  last_devices_publish_ = Clock::now();
  devices_dirty_ = false;
  // Readings change every poll; a once-a-second update is enough, and an unchanged one is not
  // sent again (the retained copy on the broker is already current).
  auto publish = [this](const std::string& id, std::string payload) {
    auto& last = last_device_payloads_[id];
    if (payload == last && mqtt_->connected()) return;
    last = payload;
    mqtt_->publish(topic_prefix_ + "devices/" + id, payload, true);
  };
  publish(supervisor_->swing().id(), swing_device_json(supervisor_->swing()));
  for (const auto& input : supervisor_->inputs()) {
    publish(input->id(), input_device_json(*input));
  }
  for (const auto& input : mqtt_inputs_) publish(input->id(), mqtt_input_device_json(*input));
  for (const auto& light : scene_->lights()) {
    auto shown = scene_->shown().find(light->id());
    publish(light->id(),
            light_device_json(
                *light, shown != scene_->shown().end() ? shown->second : devices::LightCommand{}));
  }
  for (std::size_t i = 0; i < scene_->players().size(); ++i) {
    publish(scene_->players()[i].device->id(),
            sound_device_json(*scene_->players()[i].device, scene_->sound_level_dba(i)));
  }
}

void App::publish_safety() {
  auto now = Clock::now();
  SafetyStatus status{supervisor_->motion_allowed(),
                      &supervisor_->interlocks(),
                      supervisor_->lease_remaining_s(now),
                      supervisor_->lease_length_s(),
                      supervisor_->motion_refusal(),
                      {},
                      now,
                      std::chrono::system_clock::now()};
  if (session_log_failed_) status.session_log_error = session_log_error_;
  std::string payload = safety_json(status);
  if (payload == last_safety_payload_ && mqtt_->connected()) return;
  last_safety_payload_ = payload;
  mqtt_->publish(topic_prefix_ + "safety", payload, true);
}

void App::publish_state(bool now) {
  auto at = Clock::now();
  // At most once per tick: a run of commands that each change the state costs one publish.
  if (!now && at - last_state_publish_ < options_.tick) return;
  last_state_publish_ = at;
  state_dirty_ = false;
  publish_session();
  publish_safety();
  flush_outbox();
}

void App::record(EventType type, Fields fields) {
  logic_thread_.check("a record");
  auto now = std::chrono::system_clock::now();
  Record record{type, std::move(fields)};
  const EventRules& rules = rules_of(type);
  // The whole record for the clinical log; for everyone who reads the room's events, the same
  // line unless the type keeps fields for the log only (then rendered again without them).
  std::string line = event_json(now, record);
  std::string event = rules.log_only_fields.empty()
                          ? line
                          : event_json(now, Record{type, record.published_fields()});
  std::uint64_t sequence = rules.logged ? writer_.append(std::move(line)) : 0;
  if (rules.logged && sequence == 0) {
    // The disk has taken nothing for long enough to fill the backlog: the record is lost,
    // which the safety state says and the log records once the disk takes writes again.
    if (records_lost_++ == 0) {
      spdlog::error(
          "session log: the disk has not taken a record for a long time ({} waiting); "
          "records are being lost",
          options_.log_backlog);
      session_log_failed_ = true;
      session_log_error_ = "the disk is not taking records (" +
                           std::to_string(options_.log_backlog) + " waiting); records are lost";
      publish_safety();
    }
  }
  if (sequence != 0) last_record_ = sequence;
  if (rules.published) outbox_.event(sequence, topic_prefix_ + "events", std::move(event));
  flush_outbox();
}

void App::tell_session_log_failure() {
  // Once per failure, to the tablets connected then; a failure from before the broker was
  // reached (the record of the start) is told on connecting.
  if (!session_log_failed_ || session_log_failure_told_ || !mqtt_->connected()) return;
  session_log_failure_told_ = true;
  mqtt_->publish(
      topic_prefix_ + "events",
      event_json(std::chrono::system_clock::now(),
                 Record{EventType::session_log_failed, {{"detail", session_log_error_}}}),
      false);
}

void App::log_progress(const LogWriter::Progress& progress) {
  logic_thread_.check("the log writer's news");
  outbox_.written(progress.done);
  if (progress.healthy == !session_log_failed_) {
    flush_outbox();
    return;
  }
  // Reported, never fatal: safety functions keep running with a full or broken disk.
  session_log_failed_ = !progress.healthy;
  if (progress.healthy) {
    session_log_error_.clear();
    spdlog::warn("session log: writing again to {}", session_log_.file().string());
    if (records_lost_ > 0) {
      record(EventType::session_log_records_lost,
             {{"count", static_cast<std::int64_t>(records_lost_)}});
      records_lost_ = 0;
    }
  } else {
    session_log_error_ = progress.error;
    spdlog::error("session log: {}; sessions still run, but are not recorded", progress.error);
    session_log_failure_told_ = false;
    tell_session_log_failure();
  }
  publish_safety();
  flush_outbox();
}

void App::flush_control(bool state_now) {
  for (auto& r : control_.take_records()) {
    if (r.type == EventType::session_started)
      dose_->begin(r.fields.text("session_id"), Clock::now());
    if (r.type == EventType::session_ended && dose_->recording(r.fields.text("session_id"))) {
      r.fields.set("dose", JsonText{dose_->finish()});
    }
    record(r.type, std::move(r.fields));
  }
  if (control_.take_state_changed()) state_dirty_ = true;
  if (state_dirty_) publish_state(state_now);
}

void App::tick_dose(Clock::time_point now) {
  SessionState state = engine_.state();
  if (state == SessionState::idle) return;
  // The live series for tablets: not retained, nothing queued for it beyond the link's bounds.
  if (const std::string* line = dose_->tick(now, state == SessionState::paused)) {
    mqtt_->publish(topic_prefix_ + "session/series", *line, false);
  }
}

void App::devices_changed() {
  devices_dirty_ = true;
  if (supervisor_->motion_allowed() && mqtt_->connected()) notifier_.ready();
  control_.devices_changed(Clock::now());
  // A trip is told at once: nothing on disk or in a queue sits before the safety state.
  flush_control(true);
}

}  // namespace sensoryd
