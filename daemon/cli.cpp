#include "daemon/cli.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "daemon/record/child_sessions.hpp"

namespace sensoryd {

namespace {

// The options, bound to a CliOptions; one place for both parsing and the help text.
struct CliParser {
  CliParser() {
    app.set_help_flag("-h,--help", "print this help and exit");
    // Unknown options are reported in our own words (exit 64), not CLI11's.
    app.allow_extras();
    // An option given twice takes its last value, as a shell user expects.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("--config", options.config,
                   "room configuration (default /etc/sensoryd/sensoryd.toml)")
        ->type_name("FILE");
    // `--check-config FILE` is a shorthand for `--check-config --config FILE`.
    app.add_option("--check-config", check_config_file,
                   "validate the configuration and its profiles, then exit (0 when valid, 78 "
                   "with the list of errors otherwise)")
        ->expected(0, 1)
        ->type_name("[FILE]");
    app.add_option("--log-level", options.log_level,
                   "trace, debug, info, warn, error (default info)")
        ->type_name("LEVEL");
    app.add_option("--state-dir", options.state_dir,
                   "where the session log is kept (default $STATE_DIRECTORY, else "
                   "/var/lib/sensoryd)")
        ->type_name("DIR");
    app.add_option("--export-child", options.export_child,
                   "print child ID's sessions from the session log, then exit")
        ->type_name("ID");
    app.add_option("--format", options.export_format,
                   "for --export-child: csv (one row per session with its dose, default), json "
                   "(every record of each session) or fhir (a FHIR R4 Bundle); for "
                   "--validation-report: md (default) or json")
        ->type_name("FORMAT");
    app.add_flag("--validation-report", options.validation_report,
                 "print the validation report of the configuration (--config) with what the "
                 "session log (--state-dir) saw of each safety function, then exit");
    app.add_option("--report-child", options.report_child,
                   "print child ID's sessions with dose and responses over time, then exit")
        ->type_name("ID");
    app.add_option("--since", options.since,
                   "for --export-child and --report-child: sessions started on or after DATE "
                   "(YYYY-MM-DD, UTC)")
        ->type_name("DATE");
    app.add_option("--until", options.until,
                   "for --export-child and --report-child: sessions started before DATE")
        ->type_name("DATE");
    app.add_option("--chart", options.chart,
                   "for --report-child: also draw dose and response per session into FILE (SVG, "
                   "or PNG when FILE ends .png; needs gnuplot)")
        ->type_name("FILE");
    app.add_flag("--quiet-room", options.quiet_room,
                 "after sensoryd has ended (the unit's ExecStopPost=): send every light the "
                 "safe scene and every player and amplifier silence, then exit");
    app.add_flag("--version", options.version, "print the version and exit");
  }

  CLI::App app{"sensoryd: the controller of a sensory-processing room", "sensoryd"};
  CliOptions options;
  std::string check_config_file;
};

}  // namespace

std::string usage_text() {
  CliParser parser;
  return parser.app.help();
}

std::variant<CliOptions, std::string> parse_cli(const std::vector<std::string>& args) {
  CliParser parser;
  // CLI11 takes a vector of arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    parser.app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    parser.options.help = true;
    return parser.options;
  } catch (const CLI::ParseError& error) {
    return std::string{error.what()};
  }
  CliOptions& options = parser.options;
  if (auto extras = parser.app.remaining(); !extras.empty()) {
    return "unknown option '" + extras.front() + "'";
  }
  if (parser.app.count("--check-config") > 0) {
    options.check_config = true;
    if (!parser.check_config_file.empty()) options.config = parser.check_config_file;
  }
  const std::vector<std::string> levels{"trace", "debug", "info", "warn", "error"};
  if (std::find(levels.begin(), levels.end(), options.log_level) == levels.end()) {
    return "unknown log level '" + options.log_level + "': use trace, debug, info, warn or error";
  }
  if (parser.app.count("--export-child") > 0 && options.export_child.empty()) {
    return std::string{"--export-child needs a child id"};
  }
  if (options.validation_report) {
    if (!options.export_child.empty() || !options.report_child.empty()) {
      return std::string{
          "--validation-report goes alone, not with --export-child or --report-child"};
    }
    if (parser.app.count("--format") == 0) options.export_format = "md";
    if (options.export_format != "md" && options.export_format != "json") {
      return std::string{"--format takes md or json with --validation-report"};
    }
    return options;
  }
  if (options.export_format != "csv" && options.export_format != "json" &&
      options.export_format != "fhir") {
    return std::string{"--format takes csv, json or fhir"};
  }
  if (parser.app.count("--report-child") > 0 && options.report_child.empty()) {
    return std::string{"--report-child needs a child id"};
  }
  if (!options.export_child.empty() && !options.report_child.empty()) {
    return std::string{"--export-child and --report-child go one at a time"};
  }
  bool selects = !options.export_child.empty() || !options.report_child.empty();
  for (const auto& [flag, value] :
       {std::pair{"--since", &options.since}, std::pair{"--until", &options.until}}) {
    if (parser.app.count(flag) == 0) continue;
    if (!selects) return std::string{flag} + " goes with --export-child or --report-child";
    auto bound = period_bound(*value);
    if (!bound) {
      return std::string{flag} + " takes a date, YYYY-MM-DD (UTC), or a UTC time such as " +
             "2026-11-01T08:00:00Z; not '" + *value + "'";
    }
    *value = *bound;
  }
  if (parser.app.count("--chart") > 0) {
    if (options.report_child.empty()) return std::string{"--chart goes with --report-child"};
    if (options.chart.empty()) return std::string{"--chart needs a file name, e.g. c-022.svg"};
  }
  if (parser.app.count("--format") > 0 && options.export_child.empty()) {
    return std::string{"--format goes with --export-child"};
  }
  return options;
}

}  // namespace sensoryd
