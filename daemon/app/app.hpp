// The running daemon: wires config, session engine, safety supervisor, drivers, buses and the
// MQTT link together on one io_context (the logic thread), and runs the control tick. Only
// short, bounded work runs there (docs/architecture.md, "Threads"): inbound messages arrive
// through the bounded Intake a few at a time, the clinical log is written by LogWriter's thread,
// and retained state is published at most once per tick. Its members live in files by job:
// app.cpp (wiring, tick, reload, shutdown), app_commands.cpp (the intake's messages to where
// they go), app_publish.cpp (records, dose), app_scene.cpp (lights, sound, MQTT devices). The
// parts it wires own the rest: CommandDesk (tablet commands), ClinicalRecorder (the log),
// StatePublisher (retained state), SessionControl (what a command or a trip does).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "config/fingerprint.hpp"
#include "config/loader.hpp"
#include "config/model.hpp"
#include "daemon/app/clinical_recorder.hpp"
#include "daemon/app/command_desk.hpp"
#include "daemon/app/control_loop.hpp"
#include "daemon/app/dose_recorder.hpp"
#include "daemon/app/durable_outbox.hpp"
#include "daemon/app/inbound_gate.hpp"
#include "daemon/app/logic_thread.hpp"
#include "daemon/app/state_publisher.hpp"
#include "daemon/app/systemd_notify.hpp"
#include "daemon/authoring/authoring_thread.hpp"
#include "daemon/integrations/discovery_keeper.hpp"
#include "daemon/record/session_log.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "daemon/scene/scene_devices.hpp"
#include "daemon/scene/scene_guard.hpp"
#include "daemon/scene/scene_planner.hpp"
#include "daemon/session/session_control.hpp"
#include "daemon/session/session_engine.hpp"
#include "devices/transport/asio.hpp"
#include "devices/transport/broker_link.hpp"
#include "devices/transport/room_bus.hpp"

namespace sensoryd {

struct AppOptions {
  std::chrono::milliseconds tick{20};                     // 50 Hz control loop
  std::chrono::milliseconds shutdown_timeout{15'000};     // longest wind-down before exit anyway
  std::filesystem::path state_dir = "/var/lib/sensoryd";  // holds the clinical session log
  std::size_t log_backlog = 4096;       // records waiting for a stalled disk before they are lost
  CommandDesk::ReplyRates reply_rates;  // answers in a flood (docs/mqtt-api.md, "Floods")
  std::string version = "dev";          // announced to Home Assistant (sw_version)
  // Makes each of the room's buses; empty: a ModbusBus (libmodbus) on the logic executor. A
  // test gives FakeBuses, so that a whole room runs in-process.
  std::function<std::unique_ptr<devices::RoomBus>(const config::ModbusBus&)> make_bus;
};

class App {
 public:
  using Clock = std::chrono::steady_clock;

  // Without a broker link, the app connects to the room's broker with two MqttLinks (Paho): one
  // for everything, one subscribed to E-stop commands only, whose delivery no other client's
  // flood can queue behind (docs/safety.md S19). Given a broker link (a test's fake), E-stops
  // have a link of their own only when `estop_broker` is given too.
  App(config::Room room, asio::io_context& io, AppOptions options = {},
      std::unique_ptr<BrokerLink> broker = nullptr,
      std::unique_ptr<BrokerLink> estop_broker = nullptr);
  ~App();

  void start();
  // Applies a re-read configuration (SIGHUP). Invalid: refused, the running one kept. Valid:
  // its profiles serve the next session; a running session keeps its own copy. Changes to
  // anything but profiles need a restart and are refused with a message saying so.
  // `print` is the re-read configuration's fingerprint, taken with it off the logic thread.
  void reload(const config::LoadResult& loaded, const config::Fingerprint& print);

  // Ends any session, brings the swing to rest, says offline, then calls `done`.
  void shutdown(std::function<void()> done);
  // The shutdown has finished: the swing at rest, silence sent, the last records on disk and
  // their events on the broker, both MQTT connections closed.
  bool finished() const { return finished_; }
  // No message arriving on a link's thread reaches the App any more, no profile command is under
  // way (a save under way is finished, not cut short) and no bus thread runs. Safe to call twice.
  void close_inputs();

 private:
  void tick();
  // An event for tablets (MQTT `events`) and for the clinical session log, through the
  // ClinicalRecorder: the event goes out once the record is on disk (or the log has failed).
  void record(EventType type, Fields fields);
  // config_loaded (at start) or config_reloaded: the files' SHA-256, loosened limits, trigger.
  void record_configuration(const config::Room& room, const config::Fingerprint& print,
                            const std::string& trigger);
  // Sends what waits in the outbox and may go now (replies wait for a pending state publish).
  void flush_outbox() { outbox_.flush(state_->state_pending()); }
  // Publishes what SessionControl recorded (events, session log) and changed (retained state);
  // a session's start begins its dose, its end carries the dose.
  void flush_control(bool state_now = false);
  // The running session's dose and time series, each tick (docs/clinical-record.md).
  void tick_dose(Clock::time_point now);
  // A profile command to the authoring thread (CommandDesk::Hooks::author); its result comes
  // back to apply_edit on the logic thread.
  bool hand_to_authoring(const InboundMessage& message, Action action, const std::string& user);
  // A profile saved, restored or deleted is in force for the next session (a running one keeps
  // its copy) and recorded; then the command is answered.
  void apply_edit(const InboundMessage& message, authoring::EditResult result);
  // Takes a slice of the Intake's messages to the CommandDesk (commands) or to Home Assistant
  // and the MQTT devices (the rest); posts itself again while more wait.
  void drain();
  // Once a second: what the Intake coalesced or dropped, to the CommandDesk.
  void report_intake(Clock::time_point now);
  // The room's command filters, on the main link (at connect, and again after retained
  // commands were cleared: CommandDesk::take_retained_cleared).
  void subscribe_commands();
  // Runs `fn` on the logic thread, unless the App is gone by then.
  void post(std::function<void()> fn);
  void devices_changed();
  // Lights and sound for this tick: the planner's scene through the scene guard.
  void tick_scene(Clock::time_point now);
  std::map<std::string, SwitchState> switch_states();
  // A message for an MQTT device driver (state, availability, a button); false if none.
  bool route_device_message(const InboundMessage& message);
  void scene_broker_connected(bool connected);
  bool buses_alive(Clock::time_point now);
  // Shutting down: finishes once the swing is at rest and the players were told silence, or at
  // the deadline.
  void finish_shutdown_once_safe(Clock::time_point now);
  void finish_shutdown();

  config::Room room_;
  asio::io_context& io_;
  AppOptions options_;
  // Handlers posted from other threads (the log writer, Paho) check it before touching the App.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::string topic_prefix_;
  devices::RoomBuses buses_;
  std::unique_ptr<SafetySupervisor> supervisor_;
  SessionEngine engine_;
  SessionControl control_;
  SessionLog session_log_;
  // Messages from the broker, on the links' receive threads: kept alive by the links' handlers
  // and closed first when the App goes, so no arrival ever meets a destroyed part of the App.
  std::shared_ptr<InboundGate> gate_;
  Clock::time_point last_intake_report_{};
  // Declared before mqtt_: it is made while the constructor's `broker` still says whether the
  // links are a test's fakes.
  std::unique_ptr<BrokerLink> estop_link_;  // E-stop commands only; null in some tests
  std::unique_ptr<BrokerLink> mqtt_;
  DurableOutbox outbox_;  // events and replies, each sent once its records are on disk (on mqtt_)
  ClinicalRecorder recorder_;  // the clinical log, and its events (through outbox_)
  CommandDesk desk_;           // tablet commands, answered through outbox_
  ScenePlanner planner_;
  std::unique_ptr<SceneGuard> scene_;
  std::unique_ptr<DoseRecorder> dose_;     // the running session's dose and time series
  std::unique_ptr<StatePublisher> state_;  // retained state (on mqtt_)
  std::vector<std::unique_ptr<devices::MqttInput>> mqtt_inputs_;
  // Every driver that speaks MQTT: lights and players (owned by scene_) and mqtt_inputs_.
  std::vector<devices::MqttDevice*> mqtt_devices_;
  DiscoveryKeeper discovery_;  // Home Assistant's configs, kept on the broker (on mqtt_)
  std::map<std::string, SwitchState> modbus_switches_;  // presses counted from the polled state
  SystemdNotifier notifier_;
  // Profile commands, carried out on a thread of its own; results come back through post().
  std::unique_ptr<authoring::AuthoringThread> authoring_;
  ControlLoop loop_;          // the 50 Hz tick
  LogicThread logic_thread_;  // bound at start(): the thread that runs io_
  std::set<std::string> stuck_buses_;
  // The drive's watchdog was confirmed and so recorded (once per connect: the validation
  // record's evidence for S2 and S6).
  bool watchdog_recorded_ = false;
  bool shutting_down_ = false;
  bool finished_ = false;
  Clock::time_point shutdown_deadline_{};
  std::function<void()> shutdown_done_;
};

}  // namespace sensoryd
