#include "daemon/cli.hpp"

namespace sensoryd {

std::string usage_text() {
  return "usage: sensoryd [--config FILE] [--check-config] [--log-level LEVEL] [--version]\n"
         "\n"
         "  --config FILE      room configuration (default /etc/sensoryd/sensoryd.toml)\n"
         "  --check-config     validate the configuration and its profiles, then exit\n"
         "                     (0 when valid, 78 with the list of errors otherwise)\n"
         "  --log-level LEVEL  trace, debug, info, warn, error (default info)\n"
         "  --state-dir DIR    where the session log is kept (default $STATE_DIRECTORY,\n"
         "                     else /var/lib/sensoryd)\n"
         "  --export-child ID  print child ID's sessions from the session log, then exit\n"
         "  --format FORMAT    for --export-child: csv (one row per session, default) or\n"
         "                     json (every record of each session)\n"
         "  --version          print the version and exit\n"
         "  --help             print this help and exit\n";
}

std::variant<CliOptions, std::string> parse_cli(const std::vector<std::string>& args) {
  CliOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const char*) -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else if (arg == "--version") {
      options.version = true;
    } else if (arg == "--check-config") {
      options.check_config = true;
      // `--check-config FILE` is accepted as a shorthand for `--check-config --config FILE`.
      if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) options.config = args[++i];
    } else if (arg == "--config") {
      auto v = value("--config");
      if (!v) return std::string{"--config needs a file name"};
      options.config = *v;
    } else if (arg == "--state-dir") {
      auto v = value("--state-dir");
      if (!v) return std::string{"--state-dir needs a directory"};
      options.state_dir = *v;
    } else if (arg == "--export-child") {
      auto v = value("--export-child");
      if (!v || v->empty()) return std::string{"--export-child needs a child id"};
      options.export_child = *v;
    } else if (arg == "--format") {
      auto v = value("--format");
      if (!v || (*v != "csv" && *v != "json")) return std::string{"--format takes csv or json"};
      options.export_format = *v;
    } else if (arg == "--log-level") {
      auto v = value("--log-level");
      if (!v) return std::string{"--log-level needs a level"};
      if (*v != "trace" && *v != "debug" && *v != "info" && *v != "warn" && *v != "error") {
        return "unknown log level '" + *v + "': use trace, debug, info, warn or error";
      }
      options.log_level = *v;
    } else {
      return "unknown option '" + arg + "'";
    }
  }
  if (options.export_format != "csv" && options.export_child.empty()) {
    return std::string{"--format goes with --export-child"};
  }
  return options;
}

}  // namespace sensoryd
