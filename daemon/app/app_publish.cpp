// App: what sensoryd tells tablets and the clinical log: events, which the DurableOutbox holds
// until the records they speak of are on disk (retained state is StatePublisher's).
#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"
#include "daemon/record/status_json.hpp"

namespace sensoryd {

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
      state_->safety(Clock::now());
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
  state_->safety(Clock::now());
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
  if (control_.take_state_changed()) state_->state_changed();
  if (state_->publish_state(Clock::now(), state_now)) flush_outbox();
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
  if (supervisor_->motion_allowed() && mqtt_->connected()) notifier_.ready();
  control_.devices_changed(Clock::now());
  // A trip is told at once: nothing on disk or in a queue sits before the safety state.
  flush_control(true);
}

}  // namespace sensoryd
