// sensoryd-sim-room: starts the simulators for every piece of equipment a room's configuration
// names (its Modbus TCP buses and its MQTT lights, players and buttons), prints where each one
// listens and how to control it, and stops them all on SIGINT or SIGTERM.
//   sensoryd-sim-room --config room.toml [--record-dir DIR] [--mqtt-control-port N]
//                     [--mqtt-username U --mqtt-password-file F] [--mqtt-ca-file CA.pem]
// The broker and sensoryd itself are not started: scripts/demo starts those.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "simulators/sim_room_plan.hpp"

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int usage(const std::string& why) {
  std::cerr << "sensoryd-sim-room: " << why << "\n"
            << "usage: sensoryd-sim-room --config ROOM.toml [--record-dir DIR]"
               " [--mqtt-control-port N]\n"
               "                         [--mqtt-username U --mqtt-password-file F]"
               " [--mqtt-ca-file CA.pem]\n";
  return 64;
}

pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string path = program.string();
  argv.push_back(path.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execv(path.c_str(), argv.data());
    std::cerr << "sensoryd-sim-room: cannot run " << path << ": " << std::strerror(errno) << "\n";
    _exit(127);
  }
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path config_file;
  std::filesystem::path record_dir = ".";
  int mqtt_control_port = 0;
  sensoryd::sim::SimMqttAccount account;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return usage(arg + " needs a value");
    std::string value = argv[++i];
    if (arg == "--config")
      config_file = value;
    else if (arg == "--record-dir")
      record_dir = value;
    else if (arg == "--mqtt-control-port")
      mqtt_control_port = std::stoi(value);
    else if (arg == "--mqtt-username")
      account.username = value;
    else if (arg == "--mqtt-password-file")
      account.password_file = value;
    else if (arg == "--mqtt-ca-file")
      account.ca_file = value;
    else
      return usage("unknown option " + arg);
  }
  if (config_file.empty()) return usage("--config is required");
  auto loaded = sensoryd::config::load_room(config_file);
  if (!loaded.room) {
    for (const auto& error : loaded.diagnostics.errors) std::cerr << error.to_string() << "\n";
    return 65;
  }
  auto plan = sensoryd::sim::plan_sim_room(*loaded.room, record_dir, mqtt_control_port);
  sensoryd::sim::sign_in_mqtt_simulator(plan, account);
  for (const auto& note : plan.notes) std::cerr << "sensoryd-sim-room: note: " << note << "\n";
  // The simulators are installed (or built) next to this program.
  auto here = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::vector<pid_t> children;
  for (const auto& p : plan.processes) {
    std::string line;
    for (const auto& a : p.args) line += " " + a;
    std::cout << "sensoryd-sim-room: " << p.name << ": " << p.program << line
              << "\n  control: exec 3<>/dev/tcp/127.0.0.1/" << p.control_port
              << "; echo help >&3; head -n1 <&3\n";
    children.push_back(spawn(here / p.program, p.args));
  }
  std::cout.flush();
  int status = 0;
  while (g_stop == 0) {
    pid_t gone = waitpid(-1, &status, 0);
    if (gone > 0) {
      std::cerr << "sensoryd-sim-room: a simulator (pid " << gone << ") exited; stopping\n";
      break;
    }
    if (errno == ECHILD) break;
  }
  for (pid_t pid : children) kill(pid, SIGTERM);
  while (waitpid(-1, &status, 0) > 0) {
  }
  return 0;
}
