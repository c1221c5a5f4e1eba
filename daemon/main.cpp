// sensoryd: argument parsing and signal wiring; everything else lives in the libraries.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#if defined(__SANITIZE_ADDRESS__)
#define SENSORYD_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SENSORYD_LSAN 1
#endif
#endif
#ifndef SENSORYD_LSAN
#define SENSORYD_LSAN 0
#endif
#if SENSORYD_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "config/fingerprint.hpp"
#include "config/loader.hpp"
#include "config/summary.hpp"
#include "daemon/app/app.hpp"
#include "daemon/app/quiet_room.hpp"
#include "daemon/authoring/profile_store.hpp"
#include "daemon/cli.hpp"
#include "daemon/logging.hpp"
#include "daemon/record/child_report.hpp"
#include "daemon/record/session_export.hpp"
#include "daemon/record/session_log.hpp"
#include "daemon/record/validation_report.hpp"
#include "daemon/report_chart.hpp"
#include "daemon/session/utc_time.hpp"
#include "devices/rtu_line_load.hpp"

namespace {

std::filesystem::path state_dir(const sensoryd::CliOptions& options);

// Therapists' profiles and leads' plans are kept in the state directory (docs/profiles.md).
sensoryd::config::LoadOptions load_options(const sensoryd::CliOptions& options) {
  return {state_dir(options) / "profiles", state_dir(options) / "children"};
}

int check_config(const std::string& path, const sensoryd::config::LoadOptions& load) {
  auto result = sensoryd::config::load_room(path, load);
  for (const auto& warning : result.diagnostics.warnings) {
    std::cerr << warning.file << ":" << warning.line << ":" << warning.column
              << ": warning: " << warning.message << "\n";
  }
  if (!result.room) {
    for (const auto& error : result.diagnostics.errors) {
      std::cerr << error.file << ":" << error.line << ":" << error.column
                << ": error: " << error.message << "\n";
    }
    std::cerr << path << ": " << result.diagnostics.errors.size()
              << " error(s); nothing was started\n";
    return sensoryd::kExitConfig;
  }
  std::cout << sensoryd::config::summarize(*result.room);
  // What each serial line's polls ask of it (docs/hardware.md, "RTU timing").
  for (const auto& line : sensoryd::devices::rtu_line_loads(*result.room)) {
    if (line.over()) {
      std::cerr << path << ": warning: " << line.arithmetic << "\n";
    } else {
      std::cout << "serial line: " << line.arithmetic << "\n";
    }
  }
  return sensoryd::kExitOk;
}

std::filesystem::path state_dir(const sensoryd::CliOptions& options) {
  if (!options.state_dir.empty()) return options.state_dir;
  // systemd's StateDirectory= sets STATE_DIRECTORY, a colon-separated list; the first is ours.
  if (const char* from_systemd = std::getenv("STATE_DIRECTORY"); from_systemd != nullptr) {
    std::string first{from_systemd};
    first = first.substr(0, first.find(':'));
    if (!first.empty()) return first;
  }
  return "/var/lib/sensoryd";
}

// The session log's records, or nothing (said on stderr) when the state directory has no log.
std::optional<std::vector<std::string>> session_log(const sensoryd::CliOptions& options) {
  auto file = state_dir(options) / "sessions.jsonl";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    std::cerr << "sensoryd: no session log at " << file.string()
              << ": give the state directory with --state-dir\n";
    return std::nullopt;
  }
  return sensoryd::SessionLog::read_lines(file);
}

// Prints one child's sessions from the session log: for the clinical record, on the room's
// computer, never over MQTT.
int export_child(const sensoryd::CliOptions& options) {
  auto records = session_log(options);
  if (!records) return sensoryd::kExitNoInput;
  auto format = options.export_format == "json"   ? sensoryd::ExportFormat::json
                : options.export_format == "fhir" ? sensoryd::ExportFormat::fhir
                                                  : sensoryd::ExportFormat::csv;
  std::cout << sensoryd::export_child_sessions(
      *records, options.export_child, format, {options.since, options.until},
      sensoryd::utc_text(std::chrono::system_clock::now()));
  return sensoryd::kExitOk;
}

// The validation report (S22): the configuration as loaded, with what the session log saw of
// each safety function. A state directory without a log is an error: a report that shows no
// evidence because it read the wrong directory would mislead the one who signs it.
int validation_report(const sensoryd::CliOptions& options) {
  auto loaded = sensoryd::config::load_room(options.config, load_options(options));
  if (!loaded.room) {
    for (const auto& error : loaded.diagnostics.errors) std::cerr << error.to_string() << "\n";
    std::cerr << "sensoryd: the configuration has errors: no validation report\n";
    return sensoryd::kExitConfig;
  }
  std::error_code ec;
  auto dir = state_dir(options);
  if (!std::filesystem::is_directory(dir, ec)) {
    std::cerr << "sensoryd: the state directory " << dir.string()
              << " does not exist or cannot be read: give it with --state-dir\n";
    return sensoryd::kExitNoInput;
  }
  auto records = session_log(options);
  if (!records) return sensoryd::kExitNoInput;
  auto report =
      sensoryd::validation_report(*loaded.room, sensoryd::config::fingerprint(*loaded.room),
                                  *records, std::chrono::system_clock::now());
  std::cout << (options.export_format == "json" ? sensoryd::report_json(report)
                                                : sensoryd::report_markdown(report));
  return sensoryd::kExitOk;
}

// Prints one child's sessions with dose and responses, and draws the chart when asked.
int report_child(const sensoryd::CliOptions& options) {
  auto records = session_log(options);
  if (!records) return sensoryd::kExitNoInput;
  sensoryd::Period period{options.since, options.until};
  auto sessions = sensoryd::child_sessions(*records, options.report_child, period);
  std::cout << sensoryd::child_report(sessions, options.report_child, period);
  if (options.chart.empty()) return sensoryd::kExitOk;
  std::string error = sensoryd::draw_chart(sessions, options.report_child, options.chart);
  if (!error.empty()) {
    std::cerr << "sensoryd: chart: " << error << "\n";
    return sessions.empty() ? sensoryd::kExitNoInput : sensoryd::kExitSoftware;
  }
  std::cout << "\nchart: " << options.chart << "\n";
  return sensoryd::kExitOk;
}

// Ends the process now, without destructors or atexit handlers: the log written out first,
// and under LeakSanitizer its check made first, as a normal exit would.
[[noreturn]] void leave_now(int code) {
  sensoryd::finish_logging();
  std::fflush(nullptr);
#if SENSORYD_LSAN
  __lsan_do_leak_check();
#endif
  std::_Exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = sensoryd::parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  if (auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "sensoryd: " << *error << "\n\n" << sensoryd::usage_text();
    return sensoryd::kExitUsage;
  }
  const auto& options = std::get<sensoryd::CliOptions>(parsed);
  if (options.help) {
    std::cout << sensoryd::usage_text();
    return sensoryd::kExitOk;
  }
  if (options.version) {
    std::cout << "sensoryd " << SENSORYD_VERSION << "\n";
    return sensoryd::kExitOk;
  }
  if (options.check_config) return check_config(options.config, load_options(options));
  if (!options.export_child.empty()) return export_child(options);
  if (!options.report_child.empty()) return report_child(options);
  if (options.validation_report) return validation_report(options);

  sensoryd::LoggingSession logging(options.log_level);

  // The stores of authored profiles and of children's plans, opened once before they are read:
  // each puts the version in force right from its history, should a crash have come between a
  // save's two writes.
  { sensoryd::authoring::ProfileStore settled(state_dir(options) / "profiles"); }
  { sensoryd::authoring::ProfileStore settled(state_dir(options) / "children"); }
  auto loaded = sensoryd::config::load_room(options.config, load_options(options));
  if (!loaded.room) {
    for (const auto& error : loaded.diagnostics.errors) spdlog::error("{}", error.to_string());
    spdlog::error("{}: invalid configuration; not starting (run --check-config)", options.config);
    return sensoryd::kExitConfig;
  }
  for (const auto& warning : loaded.diagnostics.warnings) spdlog::warn("{}", warning.to_string());
  for (const auto& line : sensoryd::devices::rtu_line_loads(*loaded.room)) {
    if (line.over()) spdlog::warn("{}: {}", options.config, line.arithmetic);
    if (!line.over()) spdlog::info("serial line: {}", line.arithmetic);
  }
  // However the daemon ended: nothing left playing or lit beyond the safe scene.
  if (options.quiet_room) {
    try {
      return sensoryd::quiet_room(*loaded.room, std::chrono::seconds(10));
    } catch (const std::exception& e) {
      spdlog::critical("quiet room: {}", e.what());
      return sensoryd::kExitSoftware;
    }
  }
  try {
    sensoryd::asio::io_context io;
    sensoryd::AppOptions app_options;
    app_options.state_dir = state_dir(options);
    app_options.version = SENSORYD_VERSION;
    sensoryd::App app(std::move(*loaded.room), io, app_options);
    sensoryd::asio::signal_set signals(io, SIGTERM, SIGINT);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int signal) {
          if (ec) return;
          spdlog::info("received signal {}", signal);
          app.shutdown([&] { io.stop(); });
          signals.async_wait(on_signal);  // a second signal must not skip the wind-down
        };
    signals.async_wait(on_signal);
    // A reload reads and hashes the files on a thread of its own, so that a slow disk never
    // holds up the control tick (docs/safety.md S19); the logic thread applies the result.
    std::atomic<bool> reloading{false};
    std::jthread reader;  // declared after `app`: joined before the App goes
    sensoryd::asio::signal_set hangup(io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hangup =
        [&](const boost::system::error_code& ec, int) {
          if (ec) return;
          hangup.async_wait(on_hangup);
          if (reloading.exchange(true)) {
            spdlog::warn("SIGHUP: the previous reload is still reading {}; this one is ignored",
                         options.config);
            return;
          }
          spdlog::info("SIGHUP: reloading {}", options.config);
          if (reader.joinable()) reader.join();
          reader = std::jthread([&] {
            auto reread = std::make_shared<sensoryd::config::LoadResult>(
                sensoryd::config::load_room(options.config, load_options(options)));
            sensoryd::config::Fingerprint print;
            if (reread->room) print = sensoryd::config::fingerprint(*reread->room);
            sensoryd::asio::post(io, [&, reread, print = std::move(print)] {
              app.reload(*reread, print);
              reloading = false;
            });
          });
        };
    hangup.async_wait(on_hangup);
    app.start();
    io.run();
    if (app.finished()) {
      // Everything the room owes is out (App::finished). sensoryd leaves without destroying
      // Paho C's clients: its teardown of the last one waits for its threads in steps of 100 ms
      // (MQTTAsync_stop, in Debian's 1.3.12 and upstream alike), which was most of a stop
      // (docs/performance.md).
      if (reader.joinable()) reader.join();
      app.close_inputs();
      leave_now(sensoryd::kExitOk);
    }
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return sensoryd::kExitSoftware;
  }
  return sensoryd::kExitOk;
}
