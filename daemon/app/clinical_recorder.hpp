// The clinical log's side of the running daemon: each event is queued for the log (written on
// LogWriter's thread) and, when published, for tablets through the DurableOutbox, which sends it
// once its record is on disk. It keeps the log's health (a file that cannot be opened, a disk
// that fails or stalls until the backlog is full), counts records lost to a stalled disk and
// records that count once the disk writes again, and tells connected tablets of a failure once.
// Logic thread only (the writer's progress is posted to it); time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "daemon/app/durable_outbox.hpp"
#include "daemon/record/log_writer.hpp"
#include "daemon/session/record.hpp"
#include "devices/transport/broker_link.hpp"

namespace sensoryd {

class ClinicalRecorder {
 public:
  struct Settings {
    std::string events_topic;  // e.g. "sensoryd/room-1/events"
    std::size_t backlog;       // records waiting for a stalled disk before they are lost
    std::string log_name;      // the log's file, as messages name it
  };

  // `on_progress` runs on the writer's thread: the daemon posts it to the logic thread, which
  // hands it to progress(). `health_changed` runs when error() changes (the safety state shows
  // it). `file`, `outbox` and `link` outlive the recorder.
  ClinicalRecorder(LogFile& file, LogWriter::ProgressHandler on_progress, DurableOutbox& outbox,
                   BrokerLink& link, Settings settings, std::function<void()> health_changed);

  // The log could not be opened at start: sessions still run, unrecorded, and the safety state
  // says so until a write succeeds.
  void cannot_open(const std::string& error);
  // Queues the record (when its type is logged) and its event (when published). Returns the
  // record's sequence number; 0 when it is not logged or was lost to a full backlog.
  std::uint64_t record(EventType type, Fields fields, std::chrono::system_clock::time_point now);
  // The writer's news: what is on disk, and whether the disk is healthy.
  void progress(const LogWriter::Progress& progress);
  // The link (re)connected: a failure not yet told to tablets is told now.
  void connected();
  // Writes what is queued, then stops the writer; the outbox learns what reached the disk.
  void stop();

  // Why the clinical log cannot be written; empty when it can.
  const std::string& error() const { return error_; }
  // The sequence number of the last record accepted (0: none yet).
  std::uint64_t last_record() const { return last_record_; }

 private:
  void fail(std::string error);
  void tell_failure();

  DurableOutbox& outbox_;
  BrokerLink& link_;
  Settings settings_;
  std::function<void()> health_changed_;
  LogWriter writer_;
  bool failed_ = false;
  std::string error_;
  bool failure_told_ = false;       // the session_log_failed event went out for this failure
  std::uint64_t records_lost_ = 0;  // refused by a full backlog, not yet recorded as lost
  std::uint64_t last_record_ = 0;
};

}  // namespace sensoryd
