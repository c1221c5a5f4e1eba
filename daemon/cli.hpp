// Command-line options of the sensoryd binary.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sensoryd {

struct CliOptions {
  std::string config = "/etc/sensoryd/sensoryd.toml";
  bool check_config = false;
  bool help = false;
  bool version = false;
  bool quiet_room = false;         // send the safe scene and silence, then exit (ExecStopPost=)
  bool validation_report = false;  // print the validation report (S22), then exit
  std::string log_level = "info";
  std::string state_dir;     // empty: $STATE_DIRECTORY (set by systemd), else /var/lib/sensoryd
  std::string export_child;  // non-empty: print this child's sessions from the log and exit
  std::string export_format = "csv";
  std::string report_child;  // non-empty: print this child's report and exit
  std::string since;         // --export-child, --report-child: sessions started from this date
  std::string until;         // and before this one (UTC texts, as period_bound() gives them)
  std::string chart;         // --report-child: write the chart here (.svg, or .png)
};

// sysexits.h codes, named here so callers need not include it.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitNoInput = 66;
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitConfig = 78;

// Returns the options, or an error message for a usage mistake.
std::variant<CliOptions, std::string> parse_cli(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace sensoryd
