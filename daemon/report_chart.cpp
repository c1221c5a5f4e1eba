#include "daemon/report_chart.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "daemon/record/child_report.hpp"

extern char** environ;

namespace sensoryd {

namespace {

// A directory of our own for the chart's data, removed when done.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sensoryd-chart-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

std::string draw_chart(const std::vector<LoggedSession>& sessions, const std::string& child,
                       const std::string& file) {
  if (sessions.empty()) return "no session to chart for " + child;
  ScratchDir scratch;
  if (scratch.path.empty())
    return std::string{"cannot make a scratch directory: "} + std::strerror(errno);
  auto data = scratch.path / "sessions.dat";
  auto script = scratch.path / "chart.gp";
  std::ofstream(data) << chart_data(sessions);
  std::ofstream(script) << chart_script(child, data.string(), file);

  std::string script_arg = script.string();
  char gnuplot[] = "gnuplot";
  char* argv[] = {gnuplot, script_arg.data(), nullptr};
  pid_t pid = 0;
  int spawned = ::posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv, environ);
  if (spawned != 0) {
    return std::string{"cannot run gnuplot ("} + std::strerror(spawned) +
           "): install it (apt-get install gnuplot-nox), or leave out --chart";
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return std::string{"waiting for gnuplot: "} + std::strerror(errno);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "gnuplot could not draw " + file + " (its message is above)";
  }
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return "gnuplot wrote no " + file;
  return {};
}

}  // namespace sensoryd
