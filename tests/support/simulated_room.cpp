#include "tests/support/simulated_room.hpp"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <modbus.h>

#include "daemon/record/session_log.hpp"
#include "test_paths.hpp"
#include "tests/support/wait.hpp"

namespace sensoryd::test {

using namespace std::chrono_literals;

SimulatedRoom::SimulatedRoom(RoomOptions options) : options_(std::move(options)) {
  broker_port_ = free_tcp_port();
  swing_port_ = options_.swing_port != 0 ? options_.swing_port : free_tcp_port();
  while (swing_port_ == broker_port_) swing_port_ = free_tcp_port();
  control_port_ = free_tcp_port();
  while (control_port_ == broker_port_ || control_port_ == swing_port_) {
    control_port_ = free_tcp_port();
  }
  mqtt_control_port_ = free_tcp_port();
  while (mqtt_control_port_ == broker_port_ || mqtt_control_port_ == swing_port_ ||
         mqtt_control_port_ == control_port_) {
    mqtt_control_port_ = free_tcp_port();
  }
  // sensoryd's end of socat's pty pair: its name is known before the line exists.
  if (options_.rtu && options_.rtu_pymodbus) rtu_device_ = (dir() / "ttyRoom").string();
  write_config();
}

SimulatedRoom::~SimulatedRoom() {
  tablet_.reset();
  daemon_.reset();
  mqtt_sim_.reset();
  swing_.reset();
  broker_.reset();
}

void SimulatedRoom::write_swing_drive(std::ofstream& room) const {
  if (options_.rtu_pymodbus) {
    // The far end serves the template's map: both ends read the same file.
    room << "[devices.swing]\ntemplate = \"swing-controller\"\nbus = \"cabinet\"\nunit = 1\n"
         << "comm_loss_timeout = \"" << options_.comm_loss_timeout_ms << "ms\"\n\n";
    return;
  }
  room << "[devices.swing]\nkind = \"swing_drive\"\nbus = \"cabinet\"\nunit = 1\n"
       << "comm_loss_timeout = \"" << options_.comm_loss_timeout_ms << "ms\"\n"
       << "poll_period = \"50ms\"\n"
       << (options_.rotary ? "rotary = true\n" : "") << "\n"
       << "[devices.swing.registers]\ncontrol = 0\nmode = 1\namplitude = 2\nperiod = 3\n"
       << "comm_loss_timeout = 4\ncomm_loss_action = 5\nheartbeat = 6\nstatus = 0\nangle = 1\n"
       << "measured_amplitude = 2\nfault_code = 3\n"
       << (options_.rotary ? "speed = 7\ndirection = 8\nmeasured_speed = 4\n" : "") << "\n";
}

void SimulatedRoom::write_config() {
  std::filesystem::create_directories(dir() / "profiles");
  std::ofstream room(room_file());
  room << "[room]\nid = \"" << options_.room_id << "\"\nprofiles_dir = \"profiles\"\n"
       << "templates_dir = \"" SENSORYD_SOURCE_DIR "/config/templates\"\n\n"
       << "[mqtt]\nuri = \"tcp://127.0.0.1:" << broker_port_ << "\"\n\n"
       << "[buses.cabinet]\n"
       << (options_.rtu
               ? "type = \"rtu\"\ndevice = \"" + (rtu_device_.empty() ? "/dev/null" : rtu_device_) +
                     "\"\nbaud = 19200\nparity = \"even\"\n"
               : "type = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(swing_port_) +
                     "\n")
       << "response_timeout = \"200ms\"\n\n";
  if (!options_.equipment_toml.empty()) {
    room << options_.equipment_toml << "\n";
  } else {
    write_swing_drive(room);
  }
  room << "[limits.swing]\nmax_amplitude_deg = " << options_.max_amplitude_deg
       << "\nmin_period_s = " << options_.min_period_s
       << "\nmax_amplitude_rate_deg_s = " << options_.max_amplitude_rate_deg_s << "\n\n"
       << "[limits.session]\n"
       << options_.session_limits_toml << "\n"
       << "[limits.checks]\n"
       << options_.checks_limits_toml << "\n";
  if (options_.rotary) room << "[limits.rotary]\n" << options_.rotary_limits_toml << "\n";
  bool own_inputs = options_.equipment_toml.empty();
  // sensoryd-modbus-sim's serial line carries the drive alone; pymodbus's the inputs too.
  bool inputs_on_bus = options_.safety_inputs && (!options_.rtu || options_.rtu_pymodbus);
  if (own_inputs && !inputs_on_bus) {
    // S20 asks for an E-stop input; these rooms test other things and say so.
    room << "[limits.devices]\nestop_required = false\n"
         << "estop_required_reason = \"an end-to-end test of the drive alone\"\n\n";
  }
  if (own_inputs && inputs_on_bus) {
    room << "[devices.estop]\nkind = \"modbus_input\"\nrole = \"estop\"\nbus = \"cabinet\"\n"
         << "unit = 3\naddress = 0\nactive_low = true\npoll_period = \"20ms\"\n\n"
         << "[devices.door]\nkind = \"modbus_input\"\nrole = \"door\"\nbus = \"cabinet\"\n"
         << "unit = 4\naddress = 0\npoll_period = \"20ms\"\n\n";
  }
  if (options_.scene) {
    room << "[devices.tube]\nkind = \"modbus_light\"\nbus = \"cabinet\"\nunit = 2\n"
         << "poll_period = \"200ms\"\nchannels = { red = 0, green = 1, blue = 2, dimmer = 3 }\n\n"
         << "[devices.amp]\nkind = \"modbus_sound\"\nbus = \"cabinet\"\nunit = 5\n"
         << "poll_period = \"200ms\"\ncalibration = \"room\"\n"
         << "registers = { volume = 0, mute = 1, source = 2 }\n\n"
         << "[devices.ceiling]\nkind = \"mqtt_light\"\ntopic = \"sim/ceiling\"\n"
         << "availability_topic = \"sim/ceiling/availability\"\n\n"
         << "[devices.player]\nkind = \"mqtt_sound\"\ntopic = \"sim/player\"\n"
         << "calibration = \"room\"\navailability_topic = \"sim/player/availability\"\n\n"
         << "[devices.button]\nkind = \"mqtt_input\"\nrole = \"child_switch\"\n"
         << "topic = \"sim/button\"\nfield = \"action\"\nactive_value = \"single\"\n"
         << "debounce = \"50ms\"\n\n"
         << "[calibrations.room]\n"
         << "points = [[0, 20.0], [20, 45.0], [40, 56.0], [60, 65.0], [80, 73.0], [100, 80.0]]\n\n"
         << "[safe_scene]\ncolor = \"warm-white\"\nbrightness = \"20%\"\n\n";
  }
  room << options_.extra_room_toml << "\n";
  for (const auto& [name, text] : options_.profiles) {
    std::ofstream(dir() / "profiles" / name) << text;
  }
}

void SimulatedRoom::start_broker() {
  std::ofstream(dir() / "mosquitto.conf")
      << "listener " << broker_port_ << " 127.0.0.1\nallow_anonymous true\npersistence false\n"
      << "set_tcp_nodelay true\n"
      << (geteuid() == 0 ? "user root\n" : "");
  broker_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{MOSQUITTO_BIN, "-c", (dir() / "mosquitto.conf").string()},
      dir() / "mosquitto.log");
  if (!wait_until([&] { return port_accepts(broker_port_); }, 10s)) {
    throw std::runtime_error("mosquitto did not start: " + broker_->log_text());
  }
}

void SimulatedRoom::stop_broker() {
  tablet_.reset();
  broker_.reset();
}

void SimulatedRoom::plug_serial() {
  serial_line_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{SOCAT_BIN, "pty,raw,echo=0,link=" + rtu_device_,
                               "pty,raw,echo=0,link=" + (dir() / "ttyDevices").string()},
      dir() / "socat.log");
  if (!wait_until(
          [&] {
            return std::filesystem::exists(rtu_device_) &&
                   std::filesystem::exists(dir() / "ttyDevices");
          },
          10s)) {
    throw std::runtime_error("socat made no pty pair: " + serial_line_->log_text());
  }
}

void SimulatedRoom::unplug_serial() {
  // socat removes its links as it goes, and the ptys vanish with it.
  serial_line_->signal(SIGTERM);
  if (!serial_line_->wait_exit(5s)) throw std::runtime_error("socat did not exit");
  serial_line_.reset();
  std::filesystem::remove(rtu_device_);
  std::filesystem::remove(dir() / "ttyDevices");
}

void SimulatedRoom::start_swing() {
  if (options_.rtu && options_.rtu_pymodbus) {
    plug_serial();
    // The E-stop's contact is closed at power-up (released, active low); the door's open.
    std::string templates = SENSORYD_SOURCE_DIR "/config/templates/";
    swing_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{PYTHON3_BIN, SENSORYD_SOURCE_DIR "/tests/rtu/rtu_devices.py",
                                 "--port", (dir() / "ttyDevices").string(), "--baud", "19200",
                                 // sensoryd's end is 8E1. A pty carries bytes, not bits,
                                 // so parity never reaches it; and this machine's kernel
                                 // refuses pyserial's even-parity termios on a pty (EINVAL)
                                 // while it takes libmodbus's (docs/hardware.md).
                                 "--parity", "N", "--drive",
                                 "1:" + templates + "swing-controller.toml", "--inputs",
                                 "3:" + templates + "io-module-8ch.toml=1", "--inputs",
                                 "4:" + templates + "io-module-8ch.toml=0", "--control-port",
                                 std::to_string(control_port_), "--record",
                                 (dir() / "cabinet-recording.jsonl").string()},
        dir() / "modbus-sim.log");
    if (!wait_until([&] { return port_accepts(control_port_); }, 20s)) {
      throw std::runtime_error("the pymodbus RTU devices did not start: " + swing_->log_text());
    }
    return;
  }
  if (options_.rtu) {
    auto link = dir() / "ttySIM";
    swing_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{MODBUS_SIM_BIN, "--rtu", link.string(), "--control-port",
                                 std::to_string(control_port_), "--unit", "1:swing", "--record",
                                 (dir() / "cabinet-recording.jsonl").string()},
        dir() / "modbus-sim.log");
    if (!wait_until(
            [&] { return std::filesystem::is_symlink(link) && port_accepts(control_port_); },
            10s)) {
      throw std::runtime_error("Modbus RTU simulator did not start: " + swing_->log_text());
    }
    rtu_device_ = std::filesystem::read_symlink(link).string();
    write_config();  // now that the serial port's name is known
    return;
  }
  if (!options_.equipment_toml.empty()) {
    swing_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{MODBUS_SIM_BIN, "--port", std::to_string(swing_port_),
                                 "--control-port", std::to_string(control_port_), "--config",
                                 room_file().string(), "--bus", "cabinet", "--record",
                                 (dir() / "cabinet-recording.jsonl").string()},
        dir() / "modbus-sim.log");
    if (!wait_until([&] { return port_accepts(swing_port_) && port_accepts(control_port_); },
                    10s)) {
      throw std::runtime_error("Modbus simulator did not start: " + swing_->log_text());
    }
    return;
  }
  // The E-stop contact is closed at power-up (released); the door contact open (door closed).
  std::vector<std::string> args{MODBUS_SIM_BIN,
                                "--port",
                                std::to_string(swing_port_),
                                "--control-port",
                                std::to_string(control_port_),
                                "--unit",
                                "1:swing",
                                "--unit",
                                "3:io=1",
                                "--unit",
                                "4:io",
                                "--record",
                                (dir() / "cabinet-recording.jsonl").string()};
  if (options_.scene) {
    for (const char* unit : {"2:light", "5:amplifier"}) {
      args.push_back("--unit");
      args.push_back(unit);
    }
  }
  swing_ = std::make_unique<ChildProcess>(args, dir() / "modbus-sim.log");
  if (!wait_until([&] { return port_accepts(swing_port_) && port_accepts(control_port_); }, 10s)) {
    throw std::runtime_error("Modbus simulator did not start: " + swing_->log_text());
  }
}

void SimulatedRoom::start_mqtt_sim() {
  mqtt_sim_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{MQTT_SIM_BIN, "--broker",
                               "tcp://127.0.0.1:" + std::to_string(broker_port_), "--light",
                               "sim/ceiling", "--player", "sim/player", "--switch", "sim/button",
                               "--record", (dir() / "mqtt-recording.jsonl").string(),
                               "--control-port", std::to_string(mqtt_control_port_)},
      dir() / "mqtt-sim.log");
  if (!wait_until([&] { return port_accepts(mqtt_control_port_); }, 10s)) {
    throw std::runtime_error("MQTT simulator did not start: " + mqtt_sim_->log_text());
  }
}

std::string SimulatedRoom::mqtt_control(const std::string& line) const {
  return send_line(mqtt_control_port_, line, 5s);
}

namespace {

std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) lines.push_back(std::move(j));  // a line being written is skipped
  }
  return lines;
}

}  // namespace

std::vector<nlohmann::json> SimulatedRoom::mqtt_recording() const {
  return read_json_lines(dir() / "mqtt-recording.jsonl");
}

void SimulatedRoom::start_daemon(std::vector<std::string> extra_env) {
  daemon_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{SENSORYD_BIN, "--config", room_file().string(), "--log-level",
                               "debug", "--state-dir", (dir() / "state").string()},
      dir() / "sensoryd.log", std::move(extra_env));
}

Tablet& SimulatedRoom::tablet() {
  if (!tablet_) {
    tablet_ = std::make_unique<Tablet>(broker_port_, options_.room_id, options_.tablet_reads);
  }
  return *tablet_;
}

void SimulatedRoom::start_all(std::vector<std::string> daemon_env) {
  start_broker();
  start_swing();
  if (options_.scene) start_mqtt_sim();
  tablet();
  start_daemon(std::move(daemon_env));
  bool online = wait_until([&] { return tablet().latest("availability") == "online"; }, 10s);
  if (!online) throw std::runtime_error("sensoryd did not come online:\n" + daemon_log());
  // Ready for motion: the drive's comm-loss watchdog confirmed, as the device topic says.
  bool confirmed = wait_until(
      [&] {
        auto device = tablet().latest_json("devices/" + options_.drive_id);
        return device && device->value("health", "") == "online" &&
               device->value("watchdog_confirmed", false);
      },
      10s);
  if (!confirmed) throw std::runtime_error("swing not confirmed:\n" + daemon_log());
  bool allowed = wait_until(
      [&] {
        auto safety = tablet().latest_json("safety");
        return safety && safety->value("motion_allowed", false);
      },
      10s);
  if (!allowed) throw std::runtime_error("motion not allowed:\n" + daemon_log());
}

std::string SimulatedRoom::control(const std::string& line) const {
  return send_line(control_port_, line, 5s);
}

void SimulatedRoom::expect_ok(const std::string& answer) {
  if (answer.rfind("ok", 0) != 0) {
    throw std::runtime_error("the simulator refused a control command: " + answer);
  }
}

std::vector<nlohmann::json> SimulatedRoom::recording() const {
  return read_json_lines(dir() / "cabinet-recording.jsonl");
}

std::optional<SwingInputs> SimulatedRoom::read_swing() const {
  if (options_.rtu) {
    // The serial line belongs to sensoryd: ask the simulator's control port instead.
    std::string status = control("status");
    auto at = status.find("swing amplitude ");
    if (at == std::string::npos) return std::nullopt;
    return SwingInputs{0, 0.0, std::stod(status.substr(at + 16))};
  }
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", swing_port_);
  if (ctx == nullptr) return std::nullopt;
  std::optional<SwingInputs> inputs;
  std::uint16_t regs[4] = {};
  modbus_set_slave(ctx, 1);
  if (modbus_connect(ctx) == 0 && modbus_read_input_registers(ctx, 0, 4, regs) == 4) {
    inputs = SwingInputs{regs[0], static_cast<std::int16_t>(regs[1]) / 10.0, regs[2] / 10.0};
  }
  modbus_close(ctx);
  modbus_free(ctx);
  return inputs;
}

std::vector<nlohmann::json> SimulatedRoom::session_log() const {
  std::vector<nlohmann::json> records;
  for (const auto& line : SessionLog::read_lines(dir() / "state" / "sessions.jsonl")) {
    records.push_back(nlohmann::json::parse(line));
  }
  return records;
}

bool SimulatedRoom::wait_for_swing_at_rest(std::chrono::milliseconds timeout) const {
  return wait_until(
      [&] {
        auto lines = recording();
        bool stopped = false;
        const nlohmann::json* last_control = nullptr;
        for (const auto& line : lines) {
          stopped = stopped || (line.value("type", "") == "event" &&
                                line.value("event", "") == "motion_stopped");
          if (line.value("type", "") == "write" && line.value("name", "") == "control") {
            last_control = &line;
          }
        }
        return stopped && last_control != nullptr && (*last_control)["value"] == 0;
      },
      timeout);
}

bool SimulatedRoom::wait_for_swing_amplitude(double amplitude_deg,
                                             std::chrono::milliseconds timeout) const {
  return wait_until(
      [&] {
        auto swing = read_swing();
        return swing && swing->amplitude_deg >= amplitude_deg;
      },
      timeout);
}

std::string SimulatedRoom::daemon_log() const {
  std::ifstream in(dir() / "sensoryd.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string short_profile(const std::string& id, double amplitude_deg, const std::string& hold) {
  std::ostringstream text;
  text << "id = \"" << id << "\"\ntitle = \"Test " << id << "\"\npurpose = \"calming\"\n\n"
       << "[[steps]]\nname = \"swing\"\nduration = \"" << hold << "\"\nfade = \"1s\"\n"
       << "swing = { mode = \"linear\", amplitude_deg = " << amplitude_deg
       << ", period = \"3s\" }\n\n"
       << "[[steps]]\nname = \"rest\"\nduration = \"2s\"\nfade = \"1s\"\n"
       << "swing = { mode = \"off\" }\n";
  return text.str();
}

std::vector<std::string> stalling_disk_env(const std::filesystem::path& flag) {
  std::string asan = "ASAN_OPTIONS=verify_asan_link_order=0";
  if (const char* existing = std::getenv("ASAN_OPTIONS")) asan += std::string(":") + existing;
  return {std::string("LD_PRELOAD=") + STALL_FSYNC_LIB, "SENSORYD_TEST_STALL_FILE=" + flag.string(),
          asan};
}

}  // namespace sensoryd::test
