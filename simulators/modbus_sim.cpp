// sensoryd-modbus-sim: a Modbus TCP or RTU server standing in for one bus of a room's equipment,
// each unit id a device of its own kind (swing drive, DMX/LED light, amplifier, I/O module),
// speaking the register map the room's configuration gives it, or sensoryd's own maps.
//   sensoryd-modbus-sim --port N --config ROOM.toml --bus ID [--record FILE] [--control-port M]
//   sensoryd-modbus-sim --port N [--unit 1:swing --unit 3:io ...] [--record FILE]
//                       [--control-port M]
//   sensoryd-modbus-sim --rtu LINK [--unit 1:swing ...] [--config ROOM.toml --bus ID] ...
//                       (Modbus RTU on a pty that LINK names, every unit on the one line)
// Every write it receives is appended to FILE as a JSON line with a wall-clock timestamp, and
// so is every fault or input change set through the control port (docs/simulators.md).
#include <fcntl.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <modbus.h>

#include "config/loader.hpp"
#include "simulators/control_port.hpp"
#include "simulators/modbus_sim_options.hpp"
#include "simulators/recorder.hpp"
#include "simulators/rtu_frames.hpp"
#include "simulators/sim_units.hpp"

namespace {

using sensoryd::sim::Recorder;
using sensoryd::sim::SimUnit;
using Clock = SimUnit::Clock;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

using Options = sensoryd::sim::ModbusSimOptions;

int usage(const std::string& why) {
  sensoryd::sim::print_modbus_sim_usage(std::cerr, why);
  return 64;
}

// A unit as the bus sees it: its model, its register image, and the faults set on it.
struct Slot {
  std::unique_ptr<SimUnit> model;
  modbus_mapping_t* map = nullptr;
  bool dead = false;    // never answers
  int delay_ms = 0;     // answers late
  int exception = 0;    // answers every request with this exception code
  bool stuck = false;   // readings frozen at the moment it got stuck
  bool garble = false;  // RTU: answers with a bad CRC, as a line at the wrong baud rate does
  std::vector<std::uint16_t> frozen_inputs;
  std::vector<std::uint8_t> frozen_discrete;
  // The bits each bit read (function, address, count) was last answered with.
  std::map<std::tuple<int, int, int>, std::vector<std::uint8_t>> bits_answered;

  void sync() {
    auto coils = model->coils();
    std::copy(coils.begin(), coils.end(), map->tab_bits);
    auto holding = model->holding();
    std::copy(holding.begin(), holding.end(), map->tab_registers);
    auto inputs = stuck ? frozen_inputs : model->inputs();
    std::copy(inputs.begin(), inputs.end(), map->tab_input_registers);
    auto discrete = stuck ? frozen_discrete : model->discrete();
    std::copy(discrete.begin(), discrete.end(), map->tab_input_bits);
  }
};

struct DelayedReply {
  int fd;
  std::vector<std::uint8_t> query;
  int length;
  Clock::time_point due;
};

class Bus {
 public:
  Bus(const Options& options, Recorder& recorder) : options_(options), recorder_(recorder) {}

  ~Bus() {
    drop_clients();
    if (pty_slave_ >= 0) close(pty_slave_);
    if (!pty_name_.empty()) unlink(options_.rtu_link.c_str());
    if (listener_ >= 0) close(listener_);
    for (auto& [id, slot] : slots_) modbus_mapping_free(slot.map);
    if (ctx_ != nullptr) modbus_free(ctx_);
  }

  std::string add_unit(int unit, const std::string& kind) {
    auto model = sensoryd::sim::make_unit(kind, unit, options_.physics, recorder_, Clock::now());
    if (!model) return "unknown unit kind '" + kind + "'";
    return add_unit(std::move(model));
  }

  std::string add_unit(std::unique_ptr<SimUnit> model) {
    int unit = model->unit();
    if (unit < 1 || unit > 247 || slots_.count(unit) != 0) {
      return "unit " + std::to_string(unit) + " is out of range 1-247 or given twice";
    }
    Slot slot;
    slot.map = modbus_mapping_new(
        static_cast<int>(model->coils().size()), static_cast<int>(model->discrete().size()),
        static_cast<int>(model->holding().size()), static_cast<int>(model->inputs().size()));
    slot.model = std::move(model);
    slots_.emplace(unit, std::move(slot));
    return {};
  }

  bool listen() {
    if (!options_.rtu_link.empty()) return open_pty();
    if (ctx_ == nullptr) ctx_ = modbus_new_tcp(options_.host.c_str(), options_.port);
    if (ctx_ == nullptr) return false;
    listener_ = modbus_tcp_listen(ctx_, 8);
    return listener_ >= 0;
  }

  // RTU: the controller opens the pty's slave side as its serial port; the simulator answers
  // on the master side. It keeps the slave open too, so that the master never sees a hang-up
  // while the controller is away (an unplugged adapter, from the controller's side).
  bool open_pty() {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return false;
    const char* slave_name = ptsname(master);
    if (slave_name == nullptr) return false;
    pty_slave_ = open(slave_name, O_RDWR | O_NOCTTY);
    termios raw{};
    if (pty_slave_ < 0 || tcgetattr(pty_slave_, &raw) != 0) return false;
    cfmakeraw(&raw);
    tcsetattr(pty_slave_, TCSANOW, &raw);
    unlink(options_.rtu_link.c_str());
    if (symlink(slave_name, options_.rtu_link.c_str()) != 0) return false;
    pty_name_ = slave_name;
    // Never connected (the master is ours) and never asked to receive: requests are framed
    // by serve_line() for every unit on the line; libmodbus builds the answers.
    ctx_ = modbus_new_rtu(slave_name, 19200, 'E', 8, 1);
    if (ctx_ == nullptr) return false;
    modbus_set_socket(ctx_, master);
    clients_.insert(master);  // the one "connection" of a serial line
    return true;
  }

  const std::string& pty_name() const { return pty_name_; }

  int add_to(fd_set& readable, int max_fd) const {
    if (listener_ >= 0) {
      FD_SET(listener_, &readable);
      max_fd = std::max(max_fd, listener_);
    }
    for (int fd : clients_) {
      FD_SET(fd, &readable);
      max_fd = std::max(max_fd, fd);
    }
    return max_fd;
  }

  void step(Clock::time_point now) {
    for (auto& [id, slot] : slots_) slot.model->step(now);
    while (!delayed_.empty() && delayed_.front().due <= now) {
      DelayedReply reply = std::move(delayed_.front());
      delayed_.pop_front();
      if (clients_.count(reply.fd) != 0) answer(reply.fd, reply.query.data(), reply.length);
    }
  }

  void serve(const fd_set& readable) {
    if (listener_ >= 0 && FD_ISSET(listener_, &readable)) {
      int listen_fd = listener_;
      int fd = modbus_tcp_accept(ctx_, &listen_fd);
      if (fd != -1) clients_.insert(fd);
    }
    std::vector<std::uint8_t> query(MODBUS_TCP_MAX_ADU_LENGTH);
    for (auto it = clients_.begin(); it != clients_.end();) {
      int fd = *it;
      if (!FD_ISSET(fd, &readable)) {
        ++it;
        continue;
      }
      if (!options_.rtu_link.empty()) {
        serve_line(fd);
        ++it;
        continue;
      }
      modbus_set_socket(ctx_, fd);
      int length = modbus_receive(ctx_, query.data());
      if (length == -1) {
        close(fd);
        it = clients_.erase(it);
        // Its late answers die with the connection: a new client may be given the same fd.
        std::erase_if(delayed_, [fd](const DelayedReply& reply) { return reply.fd == fd; });
        continue;
      }
      ++it;
      if (length > 0) dispatch(fd, query, length);
    }
  }

  // One control command; returns the line to answer with.
  std::string control(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return "error: empty command";
    std::string error = apply_control(words);
    if (!error.empty()) return "error: " + error;
    if (words[0] != "status" && words[0] != "help") recorder_.control(line);
    return words[0] == "status" ? status() : words[0] == "help" ? help() : "ok";
  }

  std::size_t unit_count() const { return slots_.size(); }

 private:
  int header() const { return modbus_get_header_length(ctx_); }

  // A request to the unit it names: answered now or late, or never by a dead unit or nobody.
  void dispatch(int fd, const std::vector<std::uint8_t>& query, int length) {
    Slot* slot = find(query[header() - 1]);
    if (slot == nullptr || slot->dead) return;  // nobody there: the client times out
    slot->model->on_request(Clock::now());
    if (slot->delay_ms > 0) {
      delayed_.push_back(DelayedReply{fd, query, length,
                                      Clock::now() + std::chrono::milliseconds(slot->delay_ms)});
    } else {
      answer(fd, query.data(), length);
    }
  }

  // RTU: the requests that have come down the line, each to its unit. A request whose CRC
  // fails is dropped unanswered, as a real unit does; a fragment after a silence is noise.
  void serve_line(int fd) {
    std::uint8_t chunk[256];
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got <= 0) return;
    auto now = Clock::now();
    if (!line_.empty() && now - line_since_ > std::chrono::milliseconds(50)) line_.clear();
    line_.insert(line_.end(), chunk, chunk + got);
    line_since_ = now;
    for (;;) {
      int length = sensoryd::sim::rtu_request_length(line_);
      if (length < 0) {
        line_.clear();  // not a request this bus knows: wait for the next frame
        return;
      }
      if (length == 0 || line_.size() < static_cast<std::size_t>(length)) return;
      std::vector<std::uint8_t> query(line_.begin(), line_.begin() + length);
      line_.erase(line_.begin(), line_.begin() + length);
      if (!sensoryd::sim::rtu_crc_ok(query)) continue;
      query.resize(MODBUS_RTU_MAX_ADU_LENGTH);
      dispatch(fd, query, length);
    }
  }

  // The answer a unit at the wrong baud rate or parity seems to give: the right length for the
  // request, and a CRC that does not hold.
  void answer_garbled(int fd, const std::uint8_t* query) {
    int function = query[1];
    int quantity = (query[4] << 8) | query[5];
    std::vector<std::uint8_t> frame{query[0], query[1]};
    if (function == 0x01 || function == 0x02) frame.resize(3 + (quantity + 7) / 8);
    if (function == 0x03 || function == 0x04) frame.resize(3 + 2 * quantity);
    if (frame.size() > 2) frame[2] = static_cast<std::uint8_t>(frame.size() - 3);
    if (frame.size() == 2) frame.resize(6);  // a write's echo
    std::uint16_t wrong = static_cast<std::uint16_t>(~sensoryd::sim::rtu_crc(frame));
    frame.push_back(static_cast<std::uint8_t>(wrong & 0xFF));
    frame.push_back(static_cast<std::uint8_t>(wrong >> 8));
    if (::write(fd, frame.data(), frame.size()) < 0) return;  // the line is gone
  }

  Slot* find(int unit) {
    auto it = slots_.find(unit);
    return it == slots_.end() ? nullptr : &it->second;
  }

  void answer(int fd, const std::uint8_t* query, int length) {
    Slot* slot = find(query[header() - 1]);
    if (slot == nullptr) return;
    modbus_set_socket(ctx_, fd);
    if (slot->garble) {
      answer_garbled(fd, query);
      return;
    }
    if (slot->exception != 0) {
      modbus_reply_exception(ctx_, query, static_cast<unsigned>(slot->exception));
      return;
    }
    auto now = Clock::now();
    slot->model->step(now);
    slot->sync();
    // modbus_reply validates the addresses and answers; the writes it accepted are applied to
    // the model and recorded afterwards.
    if (modbus_reply(ctx_, query, length, slot->map) == -1) return;
    record_changed_bits(*slot, query, length);
    apply_writes(*slot, query, length, now);
    slot->sync();
  }

  // A bit read (coils, discrete inputs) answered otherwise than the last time it was asked:
  // recorded as `bits_read`, the moment the client could first see the change (a bench measures
  // from it to the state sensoryd publishes). Register reads are not: a swinging drive's change
  // at every poll.
  void record_changed_bits(Slot& slot, const std::uint8_t* query, int length) {
    int h = header();
    if (length < h + 5) return;
    int function = query[h];
    if (function != MODBUS_FC_READ_COILS && function != MODBUS_FC_READ_DISCRETE_INPUTS) return;
    int address = (query[h + 1] << 8) | query[h + 2];
    int count = (query[h + 3] << 8) | query[h + 4];
    bool coils = function == MODBUS_FC_READ_COILS;
    int size = coils ? slot.map->nb_bits : slot.map->nb_input_bits;
    if (address + count > size) return;  // answered with an exception: nothing was read
    const std::uint8_t* table = coils ? slot.map->tab_bits : slot.map->tab_input_bits;
    std::vector<std::uint8_t> bits(table + address, table + address + count);
    auto& last = slot.bits_answered[{function, address, count}];
    if (!last.empty() && last != bits) {
      std::string values;
      for (auto bit : bits) values += (values.empty() ? "" : ",") + std::to_string(bit != 0);
      recorder_.event(slot.model->unit(), "bits_read",
                      "\"address\":" + std::to_string(address) + ",\"values\":[" + values + "]");
    }
    last = std::move(bits);
  }

  // Hands the unit what a write left in its tables (single, multiple, masked; registers or
  // coils), as libmodbus stored it.
  void apply_writes(Slot& slot, const std::uint8_t* query, int length, Clock::time_point now) {
    int h = header();
    if (length < h + 5) return;
    int function = query[h];
    auto word = [&](int at) {
      return static_cast<std::uint16_t>((query[at] << 8) | query[at + 1]);
    };
    std::uint16_t address = word(h + 1);
    bool coil =
        function == MODBUS_FC_WRITE_SINGLE_COIL || function == MODBUS_FC_WRITE_MULTIPLE_COILS;
    int count = 0;
    if (function == MODBUS_FC_WRITE_SINGLE_REGISTER || function == MODBUS_FC_WRITE_SINGLE_COIL ||
        function == MODBUS_FC_MASK_WRITE_REGISTER) {
      count = 1;
    } else if (function == MODBUS_FC_WRITE_MULTIPLE_REGISTERS ||
               function == MODBUS_FC_WRITE_MULTIPLE_COILS) {
      count = word(h + 3);
    }
    if (count == 0) return;
    std::vector<std::uint16_t> values;
    for (int i = 0; i < count; ++i) {
      values.push_back(coil ? map_bit(slot, address + i) : slot.map->tab_registers[address + i]);
    }
    slot.model->write(coil, address, values, now);
  }

  static std::uint16_t map_bit(const Slot& slot, int address) {
    return slot.map->tab_bits[address] != 0 ? 1 : 0;
  }

  void drop_clients() {
    for (int fd : clients_) close(fd);
    clients_.clear();
    delayed_.clear();
  }

  std::string apply_control(const std::vector<std::string>& words) {
    const std::string& verb = words[0];
    if (verb == "status" || verb == "help") return {};
    if ((verb == "drop" || verb == "refuse") && !options_.rtu_link.empty()) {
      return "a serial line has no connections to drop or refuse: use unit N dead";
    }
    if (verb == "drop" && words.size() == 1) {
      drop_clients();
      return {};
    }
    if (verb == "refuse" && words.size() == 2 && (words[1] == "on" || words[1] == "off")) {
      if (words[1] == "on") {
        drop_clients();
        if (listener_ >= 0) close(listener_);
        listener_ = -1;
      } else if (listener_ < 0 && !listen()) {
        return std::string("cannot listen again: ") + modbus_strerror(errno);
      }
      return {};
    }
    if (verb != "unit" || words.size() < 3) return "unknown command; try help";
    int unit = 0;
    try {
      unit = std::stoi(words[1]);
    } catch (const std::exception&) {
      return "unit takes a unit id";
    }
    Slot* slot = find(unit);
    if (slot == nullptr) return "no unit " + words[1] + " on this bus";
    const std::string& what = words[2];
    auto number = [&](int& out) {
      try {
        out = words.size() == 4 ? std::stoi(words[3]) : -1;
      } catch (const std::exception&) {
        out = -1;
      }
      return out >= 0;
    };
    if (what == "dead" && words.size() == 3) {
      slot->dead = true;
    } else if (what == "alive" && words.size() == 3) {
      slot->dead = false;
      slot->delay_ms = 0;
      slot->exception = 0;
      slot->stuck = false;
      slot->garble = false;
    } else if (what == "delay") {
      if (!number(slot->delay_ms)) return "delay takes milliseconds";
    } else if (what == "exception") {
      if (!number(slot->exception) || slot->exception > 255) return "exception takes a code 0-255";
    } else if (what == "garble" && words.size() == 4 && (words[3] == "on" || words[3] == "off")) {
      if (options_.rtu_link.empty()) return "garble is for a serial line (--rtu)";
      slot->garble = words[3] == "on";
    } else if (what == "stuck" && words.size() == 4 && (words[3] == "on" || words[3] == "off")) {
      slot->stuck = words[3] == "on";
      slot->frozen_inputs = slot->model->inputs();
      slot->frozen_discrete = slot->model->discrete();
    } else {
      return slot->model->control({words.begin() + 2, words.end()}, Clock::now());
    }
    return {};
  }

  std::string status() {
    std::string text = "ok";
    text += listener_ >= 0 ? " listening" : " refusing";
    text += ", " + std::to_string(clients_.size()) + " client(s)";
    for (auto& [id, slot] : slots_) {
      text += "; unit " + std::to_string(id) + ": " + slot.model->describe();
      if (slot.dead) text += " [dead]";
      if (slot.delay_ms > 0) text += " [delay " + std::to_string(slot.delay_ms) + " ms]";
      if (slot.exception > 0) text += " [exception " + std::to_string(slot.exception) + "]";
      if (slot.stuck) text += " [stuck]";
      if (slot.garble) text += " [garbled]";
    }
    return text;
  }

  static std::string help() {
    return "ok commands: status | drop | refuse on|off | unit N dead|alive | unit N delay MS | "
           "unit N exception CODE | unit N stuck on|off | unit N garble on|off (rtu) | "
           "unit N fault CODE (swing) | "
           "unit N input BIT 0|1 (io)";
  }

  const Options& options_;
  Recorder& recorder_;
  modbus_t* ctx_ = nullptr;
  int listener_ = -1;
  int pty_slave_ = -1;
  std::string pty_name_;
  std::set<int> clients_;
  std::map<int, Slot> slots_;
  std::deque<DelayedReply> delayed_;
  std::vector<std::uint8_t> line_;  // RTU: bytes of a request still coming down the line
  Clock::time_point line_since_{};
};

// The units of bus `options.bus` in the room file, each speaking its configured map.
std::string add_configured_units(const Options& options, Bus& bus, Recorder& recorder) {
  auto loaded = sensoryd::config::load_room(options.config);
  if (!loaded.room) {
    std::string text = "cannot load " + options.config + ":";
    for (const auto& d : loaded.diagnostics.errors) text += "\n  " + d.to_string();
    return text;
  }
  if (loaded.room->find_bus(options.bus) == nullptr) {
    return "no bus \"" + options.bus + "\" in " + options.config;
  }
  for (auto& unit : sensoryd::sim::make_units(*loaded.room, options.bus, options.physics, recorder,
                                              Clock::now())) {
    std::string error = bus.add_unit(std::move(unit));
    if (!error.empty()) return error;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::string wrong;
  auto parsed = sensoryd::sim::parse_modbus_sim_options(argc, argv, wrong);
  if (!parsed) return usage(wrong);
  const Options& options = *parsed;
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  Recorder recorder(options.record);
  if (!recorder.ok()) {
    std::cerr << "sensoryd-modbus-sim: cannot open " << options.record << ": "
              << std::strerror(errno) << "\n";
    return 73;
  }
  Bus bus(options, recorder);
  for (const auto& [unit, kind] : options.units) {
    std::string error = bus.add_unit(unit, kind);
    if (!error.empty()) return usage(error);
  }
  if (!options.config.empty()) {
    std::string error = add_configured_units(options, bus, recorder);
    if (!error.empty()) {
      std::cerr << "sensoryd-modbus-sim: " << error << "\n";
      return 78;
    }
  }
  std::unique_ptr<sensoryd::sim::ControlPort> control;
  if (options.control_port != 0) {
    control = std::make_unique<sensoryd::sim::ControlPort>(
        options.host, options.control_port,
        [&](const std::string& line) { return bus.control(line); });
    if (!control->ok()) {
      std::cerr << "sensoryd-modbus-sim: cannot listen for control on " << options.host << ":"
                << options.control_port << ": " << control->error() << "\n";
      return 71;
    }
  }
  if (!bus.listen()) {
    std::cerr << "sensoryd-modbus-sim: cannot "
              << (options.rtu_link.empty()
                      ? "listen on " + options.host + ":" + std::to_string(options.port)
                      : "make a pty linked from " + options.rtu_link)
              << ": " << std::strerror(errno) << "\n";
    return 71;
  }
  std::cout << "modbus simulator "
            << (options.rtu_link.empty()
                    ? "listening on " + options.host + ":" + std::to_string(options.port)
                    : "on RTU pty " + bus.pty_name() + " (" + options.rtu_link + ")")
            << " with " << bus.unit_count() << " unit(s)"
            << (control ? ", control on port " + std::to_string(options.control_port) : "")
            << std::endl;

  while (g_stop == 0) {
    bus.step(Clock::now());
    fd_set readable;
    FD_ZERO(&readable);
    int max_fd = bus.add_to(readable, -1);
    if (control) max_fd = control->add_to(readable, max_fd);
    timeval timeout{0, 2000};  // physics and delayed replies step at least every 2 ms
    int ready = select(max_fd + 1, &readable, nullptr, nullptr, &timeout);
    if (ready <= 0) continue;
    bus.serve(readable);
    if (control) control->serve(readable);
  }
  return 0;
}
