#include "daemon/app/clinical_recorder.hpp"

#include <spdlog/spdlog.h>

#include "daemon/record/status_json.hpp"

namespace sensoryd {

ClinicalRecorder::ClinicalRecorder(LogFile& file, LogWriter::ProgressHandler on_progress,
                                   DurableOutbox& outbox, BrokerLink& link, Settings settings,
                                   std::function<void()> health_changed)
    : outbox_(outbox),
      link_(link),
      settings_(std::move(settings)),
      health_changed_(std::move(health_changed)),
      writer_(file, std::move(on_progress), settings_.backlog) {}

void ClinicalRecorder::cannot_open(const std::string& error) {
  spdlog::error("session log: {}; sessions still run, but are not recorded", error);
  fail(error);
}

std::uint64_t ClinicalRecorder::record(EventType type, Fields fields,
                                       std::chrono::system_clock::time_point now) {
  Record record{type, std::move(fields)};
  const EventRules& rules = rules_of(type);
  // The whole record for the clinical log; for everyone who reads the room's events, the same
  // line unless the type keeps fields for the log only (then rendered again without them).
  std::string line = event_json(now, record);
  std::string event = rules.log_only_fields.empty()
                          ? line
                          : event_json(now, Record{type, record.published_fields()});
  std::uint64_t sequence = rules.logged ? writer_.append(std::move(line)) : 0;
  if (rules.logged && sequence == 0 && records_lost_++ == 0) {
    // The disk has taken nothing for long enough to fill the backlog: the record is lost,
    // which the safety state says and the log records once the disk takes writes again.
    spdlog::error(
        "session log: the disk has not taken a record for a long time ({} waiting); "
        "records are being lost",
        settings_.backlog);
    fail("the disk is not taking records (" + std::to_string(settings_.backlog) +
         " waiting); records are lost");
  }
  if (sequence != 0) last_record_ = sequence;
  if (rules.published) outbox_.event(sequence, settings_.events_topic, std::move(event));
  return sequence;
}

void ClinicalRecorder::progress(const LogWriter::Progress& progress) {
  outbox_.written(progress.done);
  if (progress.healthy == !failed_) return;
  // Reported, never fatal: safety functions keep running with a full or broken disk.
  if (!progress.healthy) {
    spdlog::error("session log: {}; sessions still run, but are not recorded", progress.error);
    failure_told_ = false;
    fail(progress.error);
    return;
  }
  failed_ = false;
  error_.clear();
  spdlog::warn("session log: writing again to {}", settings_.log_name);
  if (records_lost_ > 0) {
    record(EventType::session_log_records_lost,
           {{"count", static_cast<std::int64_t>(records_lost_)}}, std::chrono::system_clock::now());
    records_lost_ = 0;
  }
  health_changed_();
}

void ClinicalRecorder::connected() {
  tell_failure();
}

void ClinicalRecorder::stop() {
  writer_.stop();
  outbox_.written(writer_.last_accepted());
}

void ClinicalRecorder::fail(std::string error) {
  failed_ = true;
  error_ = std::move(error);
  tell_failure();
  health_changed_();
}

void ClinicalRecorder::tell_failure() {
  // Once per failure, to the tablets connected then; a failure from before the broker was
  // reached (the record of the start) is told on connecting. Not through the outbox: the log
  // it would wait for is what failed.
  if (!failed_ || failure_told_ || !link_.connected()) return;
  failure_told_ = true;
  link_.publish(settings_.events_topic,
                event_json(std::chrono::system_clock::now(),
                           Record{EventType::session_log_failed, {{"detail", error_}}}),
                false);
}

}  // namespace sensoryd
