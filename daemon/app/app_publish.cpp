// App: what the session recorded, to the ClinicalRecorder (which holds each event until its
// record is on disk), and the running session's dose.
#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"

namespace sensoryd {

void App::record(EventType type, Fields fields) {
  logic_thread_.check("a record");
  recorder_.record(type, std::move(fields), std::chrono::system_clock::now());
  flush_outbox();
}

void App::flush_control(bool state_now) {
  auto records = control_.take_records();
  // The state goes out before the records go to the log's thread: a trip is told without first
  // waking another thread (the records' events follow once on disk, as ever).
  if (control_.take_state_changed()) state_->state_changed();
  bool published = state_->publish_state(Clock::now(), state_now);
  for (auto& r : records) {
    if (r.type == EventType::session_started)
      dose_->begin(r.fields.text("session_id"), Clock::now());
    if (r.type == EventType::session_ended && dose_->recording(r.fields.text("session_id"))) {
      r.fields.set("dose", JsonText{dose_->finish()});
    }
    record(r.type, std::move(r.fields));
  }
  if (published) flush_outbox();
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
  state_->devices_changed();
  const devices::Drive& drive = supervisor_->swing();
  if (drive.watchdog_confirmed() != watchdog_recorded_) {
    watchdog_recorded_ = drive.watchdog_confirmed();
    if (watchdog_recorded_) {
      record(
          EventType::watchdog_confirmed,
          {{"device", drive.id()},
           {"comm_loss_timeout_ms", static_cast<std::int64_t>(drive.comm_loss_timeout().count())},
           {"read_back", true}});
    }
  }
  if (supervisor_->motion_allowed() && mqtt_->connected()) notifier_.ready();
  auto now = Clock::now();
  control_.devices_changed(now);
  control_.observe_checks(now, std::chrono::system_clock::now());
  // A trip is told at once: nothing on disk or in a queue sits before the safety state.
  flush_control(true);
}

}  // namespace sensoryd
