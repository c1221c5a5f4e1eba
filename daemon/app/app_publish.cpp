// App: what sensoryd tells tablets and the clinical log: retained state and events.
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
}

void App::publish_session() {
  last_session_publish_ = Clock::now();
  mqtt_->publish(topic_prefix_ + "session", session_json(engine_.snapshot(Clock::now())), true);
}

void App::publish_devices() {
  last_devices_publish_ = Clock::now();
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
                      supervisor_->motion_refusal(),
                      {},
                      now,
                      std::chrono::system_clock::now()};
  if (session_log_failed_) status.session_log_error = session_log_.error();
  std::string payload = safety_json(status);
  if (payload == last_safety_payload_ && mqtt_->connected()) return;
  last_safety_payload_ = payload;
  mqtt_->publish(topic_prefix_ + "safety", payload, true);
}

void App::record(const std::string& type, Fields fields) {
  std::string line = event_json(std::chrono::system_clock::now(), Record{type, std::move(fields)});
  mqtt_->publish(topic_prefix_ + "events", line, false);
  bool written = session_log_.append(line);
  if (written == session_log_failed_) {
    // Reported, never fatal: safety functions keep running with a full or broken disk.
    session_log_failed_ = !written;
    if (written) {
      spdlog::warn("session log: writing again to {}", session_log_.file().string());
    } else {
      spdlog::error("session log: {}; sessions still run, but are not recorded",
                    session_log_.error());
      mqtt_->publish(topic_prefix_ + "events",
                     event_json(std::chrono::system_clock::now(),
                                Record{"session_log_failed", {{"detail", session_log_.error()}}}),
                     false);
    }
    publish_safety();
  }
}

void App::flush_control() {
  for (auto& r : control_.take_records()) record(r.type, std::move(r.fields));
  if (control_.take_state_changed()) {
    publish_session();
    publish_safety();
  }
}

void App::devices_changed() {
  publish_devices();
  if (supervisor_->motion_allowed() && mqtt_->connected()) notifier_.ready();
  control_.devices_changed(Clock::now());
  flush_control();
}

}  // namespace sensoryd
