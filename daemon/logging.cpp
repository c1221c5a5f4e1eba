#include "daemon/logging.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace sensoryd {

namespace {

// systemd sets JOURNAL_STREAM to "device:inode" of the stream it gave the service; when it
// matches stderr, writing to the journal directly keeps each line's priority.
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

}  // namespace

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  std::string pattern;
  if (stderr_is_journal()) {
    sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("sensoryd");
    pattern = "%v";
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    pattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";
  }
  // Lines are written by a thread of their own (docs/safety.md S19): a flood of commands, each
  // logged, or a journal or pipe slow to take them never holds up the control tick. Beyond
  // kLinesWaiting the oldest waiting lines are dropped; the clinical record is not a log line.
  constexpr std::size_t kLinesWaiting = 2048;
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
