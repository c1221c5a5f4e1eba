// sensoryd-swing-sim: a Modbus TCP server that behaves like a swing motor drive.
//   sensoryd-swing-sim --port N [--host 127.0.0.1] [--record FILE]
// Every write it receives is appended to FILE as a JSON line with a wall-clock timestamp.
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <modbus.h>

#include "simulators/recorder.hpp"
#include "simulators/swing_model.hpp"

namespace {

using sensoryd::sim::Recorder;
using sensoryd::sim::SwingModel;
namespace reg = sensoryd::sim::reg;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 1502;
  std::string record;
  sensoryd::sim::SwingPhysics physics;
};

int usage(const char* why) {
  std::cerr << "sensoryd-swing-sim: " << why << "\n"
            << "usage: sensoryd-swing-sim [--host ADDR] [--port N] [--record FILE]\n"
            << "                          [--rise DEG_PER_S] [--decel DEG_PER_S]\n";
  return 64;
}

// Records the writes in a request and applies them to the model; modbus_reply has already
// validated the addresses and answered the client.
void apply_writes(const std::uint8_t* query, int length, int header, SwingModel& model,
                  Recorder& recorder) {
  if (length < header + 5) return;
  int unit = query[header - 1];
  int function = query[header];
  auto word = [&](int at) { return static_cast<std::uint16_t>((query[at] << 8) | query[at + 1]); };
  std::uint16_t address = word(header + 1);
  auto now = SwingModel::Clock::now();
  if (function == MODBUS_FC_WRITE_SINGLE_REGISTER) {
    std::uint16_t value = word(header + 3);
    if (address >= reg::holding_count) return;
    recorder.write(unit, address, sensoryd::sim::register_name(address), value);
    model.write(address, value, now);
  } else if (function == MODBUS_FC_WRITE_MULTIPLE_REGISTERS) {
    int count = word(header + 3);
    if (length < header + 6 + count * 2 || address + count > reg::holding_count) return;
    for (int i = 0; i < count; ++i) {
      auto a = static_cast<std::uint16_t>(address + i);
      std::uint16_t value = word(header + 6 + i * 2);
      recorder.write(unit, a, sensoryd::sim::register_name(a), value);
      model.write(a, value, now);
    }
  }
}

void sync_registers(const SwingModel& model, modbus_mapping_t* map) {
  std::copy(model.holding().begin(), model.holding().end(), map->tab_registers);
  auto inputs = model.inputs();
  std::copy(inputs.begin(), inputs.end(), map->tab_input_registers);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + arg).c_str());
    std::string value = argv[++i];
    if (arg == "--host") {
      options.host = value;
    } else if (arg == "--port") {
      options.port = std::stoi(value);
    } else if (arg == "--record") {
      options.record = value;
    } else if (arg == "--rise") {
      options.physics.max_rise_deg_s = std::stod(value);
    } else if (arg == "--decel") {
      options.physics.max_decel_deg_s = std::stod(value);
    } else {
      return usage(("unknown option " + arg).c_str());
    }
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  Recorder recorder(options.record);
  if (!recorder.ok()) {
    std::cerr << "sensoryd-swing-sim: cannot open " << options.record << ": "
              << std::strerror(errno) << "\n";
    return 73;
  }
  SwingModel model(
      options.physics, SwingModel::Clock::now(),
      [&](const std::string& event, double amplitude) { recorder.event(event, amplitude); });

  modbus_t* ctx = modbus_new_tcp(options.host.c_str(), options.port);
  modbus_mapping_t* map = modbus_mapping_new(0, 0, reg::holding_count, reg::input_count);
  if (ctx == nullptr || map == nullptr) {
    std::cerr << "sensoryd-swing-sim: out of memory\n";
    return 70;
  }
  int listener = modbus_tcp_listen(ctx, 8);
  if (listener == -1) {
    std::cerr << "sensoryd-swing-sim: cannot listen on " << options.host << ":" << options.port
              << ": " << modbus_strerror(errno) << "\n";
    return 71;
  }
  std::cout << "swing simulator listening on " << options.host << ":" << options.port << std::endl;

  std::set<int> clients;
  std::vector<std::uint8_t> query(MODBUS_TCP_MAX_ADU_LENGTH);
  int header = modbus_get_header_length(ctx);
  while (g_stop == 0) {
    model.step(SwingModel::Clock::now());
    sync_registers(model, map);

    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(listener, &readable);
    int max_fd = listener;
    for (int fd : clients) {
      FD_SET(fd, &readable);
      max_fd = std::max(max_fd, fd);
    }
    timeval timeout{0, 5000};  // the physics steps at least every 5 ms
    int ready = select(max_fd + 1, &readable, nullptr, nullptr, &timeout);
    if (ready <= 0) continue;
    if (FD_ISSET(listener, &readable)) {
      int listen_fd = listener;
      int fd = modbus_tcp_accept(ctx, &listen_fd);
      if (fd != -1) clients.insert(fd);
    }
    for (auto it = clients.begin(); it != clients.end();) {
      int fd = *it;
      if (!FD_ISSET(fd, &readable)) {
        ++it;
        continue;
      }
      modbus_set_socket(ctx, fd);
      int length = modbus_receive(ctx, query.data());
      if (length > 0) {
        model.step(SwingModel::Clock::now());
        sync_registers(model, map);
        modbus_reply(ctx, query.data(), length, map);
        apply_writes(query.data(), length, header, model, recorder);
        sync_registers(model, map);
        ++it;
      } else if (length == -1) {
        close(fd);
        it = clients.erase(it);
      } else {
        ++it;  // a request for another unit or an ignored frame
      }
    }
  }
  for (int fd : clients) close(fd);
  close(listener);
  modbus_mapping_free(map);
  modbus_free(ctx);
  return 0;
}
