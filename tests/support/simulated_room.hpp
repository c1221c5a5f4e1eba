// A whole simulated room for end-to-end tests, every part a real process on loopback: its own
// mosquitto, the cabinet's Modbus simulator (swing drive unit 1, E-stop contact unit 3, door
// contact unit 4, with a control port for faults and inputs), and the sensoryd daemon.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/tablet.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::test {

struct RoomOptions {
  std::string room_id = "room-e2e";
  double max_amplitude_deg = 20.0;
  double min_period_s = 2.0;
  double max_amplitude_rate_deg_s = 3.0;
  int comm_loss_timeout_ms = 500;
  int swing_port = 0;         // 0: a free port for the cabinet's Modbus simulator
  bool safety_inputs = true;  // the E-stop and door contacts on units 3 and 4
  bool rtu = false;           // the bus is Modbus RTU on a pty (the swing drive alone)
  // With rtu, the far end of the line is tests/rtu/rtu_devices.py (pymodbus: a Modbus RTU
  // implementation not written here) serving the drive and the E-stop and door modules from
  // their templates, across a socat pty pair that unplug_serial() and plug_serial() take away
  // and bring back, as a USB adapter pulled and put back. Without it: sensoryd-modbus-sim.
  bool rtu_pymodbus = false;
  // Lights and sound too: a DMX/LED light (tube, unit 2) and an amplifier (amp, unit 5) on the
  // cabinet, and through sensoryd-mqtt-sim a zigbee2mqtt light (ceiling), a player (player) and
  // a big button (button, a child switch).
  bool scene = false;
  // The swing drive can spin (rotary = true, speed 7, direction 8, measured speed 4), with
  // these [limits.rotary] lines.
  bool rotary = false;
  std::string rotary_limits_toml;
  // [limits.session]: the supervision lease is off unless a test is about it.
  std::string session_limits_toml =
      "lease_required = false\nlease_required_reason = \"end-to-end tests of other things\"\n";
  // [limits.checks]: the daily E-stop and door checks are off unless a test is about them.
  std::string checks_limits_toml =
      "estop_interval = \"off\"\nestop_interval_reason = \"end-to-end tests of other things\"\n"
      "door_interval = \"off\"\ndoor_interval_reason = \"end-to-end tests of other things\"\n";
  std::string extra_room_toml;  // appended to the room file, e.g. [children.x] tables
  Tablet::Reads tablet_reads = Tablet::Reads::everything;  // what tablet() subscribes to
  // The cabinet's equipment from configuration only: these [devices.*] tables (which may name
  // config/templates/) replace the swing drive and safety inputs above, and the Modbus
  // simulator speaks the maps they resolve to (--config).
  std::string equipment_toml;
  std::string drive_id = "swing";  // the swing drive's device id (equipment_toml may name it)
  // Profile files to place in profiles/, name -> TOML text.
  std::vector<std::pair<std::string, std::string>> profiles;
};

// What the simulated drive measures right now, read over Modbus as any client would.
struct SwingInputs {
  std::uint16_t status = 0;
  double angle_deg = 0.0;
  double amplitude_deg = 0.0;
  bool comm_lost() const { return (status & 8) != 0; }
  bool running() const { return (status & 2) != 0; }
};

class SimulatedRoom {
 public:
  explicit SimulatedRoom(RoomOptions options);
  ~SimulatedRoom();

  void start_broker();
  void start_swing();
  // `extra_env` such as NOTIFY_SOCKET=... for the daemon's environment.
  void start_daemon(std::vector<std::string> extra_env = {});
  // All three, then waits until the daemon says `online`.
  void start_all(std::vector<std::string> daemon_env = {});

  ChildProcess& daemon() { return *daemon_; }
  void stop_swing() { swing_.reset(); }
  // rtu_pymodbus: the serial line's pty pair goes (its device nodes vanish, as a pulled USB
  // adapter's do), and comes back under the same names.
  void unplug_serial();
  void plug_serial();
  // One line to the Modbus simulator's control port ("unit 3 input 0 0"); returns its answer.
  std::string control(const std::string& line) const;
  // The E-stop (active low: pressing opens the contact) and the door contact.
  void press_estop() const { expect_ok(control("unit 3 input 0 0")); }
  void release_estop() const { expect_ok(control("unit 3 input 0 1")); }
  void open_door() const { expect_ok(control("unit 4 input 0 1")); }
  void close_door() const { expect_ok(control("unit 4 input 0 0")); }
  // The MQTT equipment simulator (with `scene`): started by start_all, controlled by line.
  void start_mqtt_sim();
  void stop_mqtt_sim() { mqtt_sim_.reset(); }
  std::string mqtt_control(const std::string& line) const;
  // Every message the MQTT equipment received so far.
  std::vector<nlohmann::json> mqtt_recording() const;
  // Kills the broker (and forgets the tablet, whose connection dies with it).
  void stop_broker();
  Tablet& tablet();
  const RoomOptions& options() const { return options_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path room_file() const { return dir_.path() / "room.toml"; }
  int broker_port() const { return broker_port_; }

  // Every line the Modbus simulator recorded so far.
  std::vector<nlohmann::json> recording() const;
  std::optional<SwingInputs> read_swing() const;
  // Waits until the recording shows the swing stopped and the drive's last control write 0.
  bool wait_for_swing_at_rest(std::chrono::milliseconds timeout) const;
  // Waits until the drive measures at least `amplitude_deg` (the swing really moves).
  bool wait_for_swing_amplitude(double amplitude_deg, std::chrono::milliseconds timeout) const;
  std::string daemon_log() const;
  // The clinical session log's records, parsed.
  std::vector<nlohmann::json> session_log() const;

 private:
  void write_config();
  void write_swing_drive(std::ofstream& room) const;

  RoomOptions options_;
  TempDir dir_;
  int broker_port_ = 0;
  static void expect_ok(const std::string& answer);

  int swing_port_ = 0;
  int control_port_ = 0;
  int mqtt_control_port_ = 0;
  std::unique_ptr<ChildProcess> mqtt_sim_;
  std::string rtu_device_;  // the pty the simulator made, once started
  std::unique_ptr<ChildProcess> broker_;
  std::unique_ptr<ChildProcess> swing_;
  std::unique_ptr<ChildProcess> serial_line_;  // socat's pty pair (rtu_pymodbus)
  std::unique_ptr<ChildProcess> daemon_;
  std::unique_ptr<Tablet> tablet_;
};

// sensoryd's environment for a disk whose syncs stall while `flag` exists: the
// tests/support/stall_fsync library, preloaded (ASan is told to allow that).
std::vector<std::string> stalling_disk_env(const std::filesystem::path& flag);

// A short calm profile used by several tests: fade in over 1 s to `amplitude_deg`, hold.
std::string short_profile(const std::string& id, double amplitude_deg, const std::string& hold);

}  // namespace sensoryd::test
