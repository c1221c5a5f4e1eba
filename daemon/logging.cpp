#include "daemon/logging.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <spdlog/async.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace sensoryd {

namespace {

// systemd sets JOURNAL_STREAM to "device:inode" of the stream it gave the service; when it
// matches stderr, each line starts with its syslog priority, "<4>...", which journald reads as
// the line's priority and strips (sd-daemon(3); the unit keeps SyslogLevelPrefix= at its
// default, yes). No libsystemd: six fewer libraries to load at every start.
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  return device == static_cast<unsigned long long>(st.st_dev) &&
         inode == static_cast<unsigned long long>(st.st_ino);
}

class JournalStreamSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    line.push_back('<');
    line.push_back(priority(msg.level));
    line.push_back('>');
    formatter_->format(msg, line);  // the pattern ends with a newline
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  static char priority(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::critical:
        return '2';
      case spdlog::level::err:
        return '3';
      case spdlog::level::warn:
        return '4';
      case spdlog::level::info:
        return '6';
      default:
        return '7';
    }
  }
};

}  // namespace

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  std::string pattern;
  if (stderr_is_journal()) {
    sink = std::make_shared<JournalStreamSink>();
    pattern = "%v";
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    pattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";
  }
  // Lines are written by a thread of their own (docs/safety.md S19): a flood of commands, each
  // logged, or a journal or pipe slow to take them never holds up the control tick. Beyond
  // kLinesWaiting the oldest waiting lines are dropped; the clinical record is not a log line.
  // Each waiting line is a ~400-byte slot made (and its pages touched) when logging starts: 2,048
  // of them were 0.8 MiB of the resident set and about a millisecond of every start.
  constexpr std::size_t kLinesWaiting = 512;
  spdlog::init_thread_pool(kLinesWaiting, 1);
  auto logger = std::make_shared<spdlog::async_logger>(
      "sensoryd", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern(pattern);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void finish_logging() {
  // Writes what waits, then ends the logging thread.
  spdlog::shutdown();
}

}  // namespace sensoryd
