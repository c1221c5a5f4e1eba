#include "daemon/app/app.hpp"

#include <spdlog/spdlog.h>
#include <stdexcept>
#include "config/fingerprint.hpp"
#include "config/reload_diff.hpp"
#include "daemon/app/command_topic.hpp"
#include "daemon/app/room_buses.hpp"
#include "daemon/session/command.hpp"
#include "devices/swing_drive.hpp"
#include "devices/transport/mqtt_link.hpp"

namespace sensoryd {

namespace {

using namespace std::chrono_literals;

std::unique_ptr<SafetySupervisor> make_supervisor(const config::Room& room,
                                                  devices::RoomBuses& buses) {
  int lost_after = room.limits.devices.lost_after_polls;
  const config::Device& swing = *room.devices_of(config::DeviceKind::swing_drive).front();
  auto drive = std::make_unique<devices::SwingDrive>(
      swing.id, *swing.as<config::SwingDrive>(),
      *buses.at(swing.as<config::SwingDrive>()->modbus.bus), lost_after);
  drive->attach();
  std::vector<std::unique_ptr<devices::ModbusInput>> inputs;
  for (const config::Device* device : room.devices_of(config::DeviceKind::input)) {
    const auto& config = *device->as<config::Input>();
    if (!config.modbus()) continue;  // MQTT inputs are scene devices (child switches)
    auto input = std::make_unique<devices::ModbusInput>(
        device->id, config, *buses.at(config.modbus()->modbus.bus), lost_after);
    input->attach();
    inputs.push_back(std::move(input));
  }
  return std::make_unique<SafetySupervisor>(room.limits, std::move(drive), std::move(inputs));
}

devices::RoomBuses make_buses(const config::Room& room, asio::io_context& io,
                              const AppOptions& options) {
  devices::RoomBuses buses;
  for (const auto& bus : room.buses) {
    buses.emplace(bus.id,
                  options.make_bus ? options.make_bus(bus) : make_modbus_bus(bus, room, io));
  }
  return buses;
}

// The E-stop link: the test's, none beside a test's fake broker, or a Paho connection of its
// own (client id "<client id>-estop", signed in as estop_username when the room gives one)
// that says nothing on the availability topic.
// The main link's thread reads what every client sends, a flood included: it yields the CPU to
// the E-stop link, the bus workers, the control tick and the room's broker (docs/safety.md S19),
// as the authoring thread does.
constexpr int kMainLinkNiceness = 5;

config::MqttSettings estop_settings(const config::MqttSettings& settings) {
  config::MqttSettings own = settings;
  own.client_id += "-estop";
  if (!settings.estop_username.empty()) {
    own.username = settings.estop_username;
    own.password = settings.estop_password;
  }
  return own;
}

std::unique_ptr<BrokerLink> estop_link(const config::MqttSettings& settings, bool fake_broker,
                                       std::unique_ptr<BrokerLink> given, asio::io_context& io) {
  if (given || fake_broker) return given;
  return std::make_unique<MqttLink>(estop_settings(settings), "", io.get_executor());
}

}  // namespace

App::App(config::Room room, asio::io_context& io, AppOptions options,
         std::unique_ptr<BrokerLink> broker, std::unique_ptr<BrokerLink> estop_broker)
    : room_(std::move(room)),
      io_(io),
      options_(options),
      topic_prefix_("sensoryd/" + room_.id + "/"),
      buses_(make_buses(room_, io, options_)),
      supervisor_(make_supervisor(room_, buses_)),
      engine_(room_.id),
      control_(room_, engine_, *supervisor_),
      session_log_(options_.state_dir / "sessions.jsonl"),
      gate_(std::make_shared<InboundGate>(
          topic_prefix_, room_.mqtt.require_identity,
          InboundGate::Hooks{[this] { supervisor_->hold_for_estop_command(); },
                             [this] { post([this] { drain(); }); }})),
      estop_link_(estop_link(room_.mqtt, broker != nullptr, std::move(estop_broker), io)),
      mqtt_(broker ? std::move(broker)
                   : std::make_unique<MqttLink>(room_.mqtt, topic_prefix_ + "availability",
                                                io.get_executor(), kMainLinkNiceness)),
      outbox_(*mqtt_),
      recorder_(
          session_log_,
          [this, alive = std::weak_ptr<bool>(alive_)](const LogWriter::Progress& progress) {
            // On the writer's thread: hand the news to the logic thread.
            asio::post(io_, [this, alive, progress] {
              if (alive.expired()) return;
              recorder_.progress(progress);
              flush_outbox();
            });
          },
          outbox_, *mqtt_,
          {topic_prefix_ + "events", options_.log_backlog, session_log_.file().string()},
          [this] {
            // The safety state shows the log's health (before the first tick, nothing to send).
            if (!state_) return;
            state_->safety(Clock::now());
            flush_outbox();
          }),
      desk_({topic_prefix_, room_.mqtt.require_identity, options_.reply_rates}, recorder_, outbox_,
            *mqtt_,
            {[this](const Command& command, Clock::time_point now) {
               Outcome outcome = control_.execute(command, now, std::chrono::system_clock::now());
               flush_control(command.action == Action::estop);
               return outcome;
             },
             [this] { flush_outbox(); },
             [this](const InboundMessage& message, Action action, const std::string& user) {
               return hand_to_authoring(message, action, user);
             }}),
      planner_(room_),
      discovery_(room_, options_.version,
                 [this](const std::string& topic, const std::string& payload) {
                   mqtt_->publish(topic, payload, true);
                 }),
      loop_(io, options_.tick, [this](Clock::time_point) { tick(); }) {
  supervisor_->on_change([this] { devices_changed(); });
  authoring_ =
      std::make_unique<authoring::AuthoringThread>(options_.state_dir, room_, options_.tick);
  SceneDevices scene_devices = make_scene_devices(room_, buses_, *mqtt_);
  mqtt_devices_ = scene_devices.mqtt_devices;
  mqtt_inputs_ = std::move(scene_devices.mqtt_inputs);
  scene_ = std::make_unique<SceneGuard>(room_, std::move(scene_devices.lights),
                                        std::move(scene_devices.players));
  // A session's series is sampled every second for up to twice the room's longest session
  // (pauses and a wind-down take time too), then once a minute: its file stays bounded.
  auto full_rate = std::max(
      std::chrono::duration_cast<std::chrono::seconds>(room_.limits.session.max_duration * 2),
      std::chrono::seconds{3600});
  dose_ = std::make_unique<DoseRecorder>(*supervisor_, *scene_, options_.state_dir / "series",
                                         full_rate);
  state_ = std::make_unique<StatePublisher>(
      StateSources{room_, control_, *supervisor_, *scene_, mqtt_inputs_,
                   [this] { return recorder_.error(); }},
      *mqtt_, topic_prefix_, options_.tick);
  // Device state is published with the next tick: a flood of device messages costs one
  // publish per tick, not one per message.
  for (const auto& light : scene_->lights())
    light->on_change([this] { state_->devices_changed(); });
  for (const auto& player : scene_->players()) {
    player.device->on_change([this] { state_->devices_changed(); });
  }
  for (const auto& input : mqtt_inputs_) input->on_change([this] { state_->devices_changed(); });
  if (!session_log_.healthy()) recorder_.cannot_open(session_log_.error());
  mqtt_->on_disconnected([this] { scene_broker_connected(false); });
  mqtt_->on_connected([this] {
    subscribe_commands();
    for (const auto& filter : discovery_.subscriptions()) mqtt_->subscribe(filter);
    scene_broker_connected(true);
    state_->connected(Clock::now());
    discovery_.publish_all();
    recorder_.connected();
    if (supervisor_->motion_allowed()) notifier_.ready();
  });
  InboundGate::listen(gate_, *mqtt_, InboundGate::Link::main);
  if (estop_link_) {
    // Only E-stops: nothing another client sends can queue ahead of them in the broker's
    // delivery to this connection (docs/safety.md S19). The main link gets them too, in case
    // this one is down; the gate lets each act once.
    estop_link_->on_connected([this] {
      estop_link_->subscribe(topic_prefix_ + "cmd/estop");
      estop_link_->subscribe(topic_prefix_ + "user/+/cmd/estop");
    });
    InboundGate::listen(gate_, *estop_link_, InboundGate::Link::estops);
  }
}

App::~App() {
  // First: nothing reaches the App while the links shut down below.
  close_inputs();
  alive_.reset();
}

void App::close_inputs() {
  gate_->close();
  authoring_.reset();
  // Buses post into io_; stop their threads before anything they could call goes away.
  for (auto& [id, bus] : buses_) bus->stop();
}

void App::subscribe_commands() {
  // Both paths: with identity required, a command on the open one is answered
  // identity_required (and logged), so that a client on the old path learns why.
  mqtt_->subscribe(topic_prefix_ + "cmd/+");
  mqtt_->subscribe(topic_prefix_ + "user/+/cmd/+");
}

void App::post(std::function<void()> fn) {
  asio::post(io_, [alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)]() mutable {
    if (!alive.expired()) fn();
  });
}

void App::start() {
  logic_thread_.bind();
  // A session the log shows unfinished was cut short by a kill or a power loss: say so in the
  // clinical record (the drive's comm-loss watchdog stopped the swing meanwhile).
  auto logged = SessionLog::read_lines(session_log_.file());
  // Session ids carry a per-room number: carry it on from the log so that a session started
  // in the same second as the one a restart cut short still gets an id of its own.
  engine_.continue_numbering_after(SessionLog::sessions_started(logged));
  // S21: when each safety input was last seen to work, so a restart does not forget it.
  control_.enable_checks(SessionLog::checks_passed(logged));
  if (auto unfinished = SessionLog::unfinished_session(logged)) {
    spdlog::warn("session {} was interrupted: sensoryd stopped without ending it", *unfinished);
    Fields ended{{"session_id", *unfinished},
                 {"reason", "interrupted"},
                 {"detail",
                  "sensoryd stopped without ending the session (killed, crashed or lost "
                  "power); it was ended at the next start"}};
    // Its dose up to the last second the time series holds.
    if (auto dose = dose_->interrupted_dose(*unfinished)) ended.set("dose", JsonText{*dose});
    record(EventType::session_ended, std::move(ended));
  }
  spdlog::info(
      "room {}: starting with {} profile(s); swing output safe until the drive is "
      "confirmed",
      room_.id, room_.profiles.size());
  auto print = config::fingerprint(room_);
  // S22: the configuration in force against the last sign-off; a new one is outdated from now.
  control_.enable_validation(print.safety_sha256, SessionLog::validation_history(logged),
                             std::chrono::system_clock::now());
  record_configuration(room_, print, "start");
  if (room_.mqtt.require_identity) {
    spdlog::info(
        "commands are taken only on {}user/<user>/cmd/+, as the broker's user (require_identity)",
        topic_prefix_);
  } else {
    spdlog::warn(
        "commands are taken on {}cmd/+ from anyone the broker lets publish there, and the "
        "therapist is what they type: for a clinic, set [mqtt] require_identity = true with the "
        "room's broker ACL (docs/security.md)",
        topic_prefix_);
    spdlog::warn(
        "profiles may be edited by anyone who can publish on {}cmd/+ (profile_save and the "
        "rest, docs/profiles.md): the room's ACL gives editing to editors only once "
        "require_identity is on",
        topic_prefix_);
  }
  if (!room_.mqtt.username.empty() && room_.mqtt.estop_username.empty()) {
    spdlog::warn(
        "the E-stop connection signs in as '{}' too: on a broker that binds client ids to "
        "accounts (use_username_as_clientid, as scripts/provision-room writes it) the two "
        "connections would close each other; set [mqtt] estop_username and estop_password_file "
        "(docs/security.md)",
        room_.mqtt.username);
  }
  for (auto& [id, bus] : buses_) bus->start();
  mqtt_->start();
  if (estop_link_) estop_link_->start();
  loop_.start();
}

void App::tick() {
  logic_thread_.check("the control tick");
  auto now = Clock::now();
  control_.tick(now);
  control_.observe_checks(now, std::chrono::system_clock::now());
  tick_scene(now);
  tick_dose(now);
  // systemd's watchdog is fed only while this loop runs and no bus worker is stuck: a hung
  // bus thread gets the daemon restarted, while this loop keeps the room safe meanwhile.
  if (buses_alive(now)) notifier_.watchdog(now);
  flush_control();
  report_intake(now);
  state_->tick(now);
  flush_outbox();
  if (shutting_down_) finish_shutdown_once_safe(now);
}

void App::finish_shutdown_once_safe(Clock::time_point now) {
  if (finished_) return;
  bool stopped = supervisor_->swing_at_rest() &&
                 (!supervisor_->swing().reading().valid || !supervisor_->swing().reading().running);
  // Players keep playing after sensoryd exits: leave only once they were told silence.
  bool quiet = scene_->quiet_for(200ms, now);
  if ((stopped && quiet) || now >= shutdown_deadline_) {
    if (!stopped) spdlog::error("shutdown: the swing did not report a stop in time; exiting");
    if (!quiet) spdlog::error("shutdown: the sound was not silenced in time; exiting");
    finish_shutdown();
  }
}

bool App::buses_alive(Clock::time_point now) {
  bool alive = true;
  for (auto& [id, bus] : buses_) {
    bool stuck = bus->stuck(now);
    if (stuck && stuck_buses_.insert(id).second) {
      spdlog::critical(
          "bus {}: worker stuck in a request; withholding the systemd watchdog so "
          "that sensoryd is restarted",
          id);
    } else if (!stuck && stuck_buses_.erase(id) != 0) {
      spdlog::warn("bus {}: worker running again", id);
    }
    alive = alive && !stuck;
  }
  return alive;
}

void App::record_configuration(const config::Room& room, const config::Fingerprint& print,
                               const std::string& trigger) {
  // What ran, for an auditor: which files (and their SHA-256), which limits were loosened and
  // why, and what made sensoryd read them.
  std::vector<std::string> files;
  for (const auto& file : print.files) files.push_back(file.sha256 + "  " + file.path);
  std::vector<std::string> loosened;
  for (const auto& limit : room.limits.loosened) {
    loosened.push_back(limit.key + " = " + limit.value + " (" + limit.reason + ")");
  }
  spdlog::info("configuration in force ({}): sha256 {}", trigger, print.sha256);
  record(trigger == "start" ? EventType::config_loaded : EventType::config_reloaded,
         {{"trigger", trigger},
          {"config_sha256", print.sha256},
          {"safety_sha256", print.safety_sha256},
          {"files", files},
          {"loosened", loosened},
          {"profiles", static_cast<std::int64_t>(room.profiles.size())}});
}

void App::reload(const config::LoadResult& loaded, const config::Fingerprint& print) {
  if (!loaded.room) {
    for (const auto& error : loaded.diagnostics.errors) spdlog::error("{}", error.to_string());
    spdlog::error("reload refused: {} error(s) in {}; the running configuration stays in force",
                  loaded.diagnostics.errors.size(), room_.source.string());
    record(EventType::config_reload_refused,
           {{"errors", static_cast<std::int64_t>(loaded.diagnostics.errors.size())},
            {"reason", "invalid"}});
    return;
  }
  const config::Room& next = *loaded.room;
  std::vector<std::string> needs_restart = config::sections_needing_restart(room_, next);
  if (!needs_restart.empty()) {
    std::string what;
    for (const auto& part : needs_restart) what += (what.empty() ? "" : ", ") + part;
    spdlog::error(
        "reload refused: changes to {} take effect only at a restart (systemctl "
        "restart sensoryd, between sessions); the running configuration stays in force",
        what);
    record(EventType::config_reload_refused, {{"reason", "needs_restart"}, {"sections", what}});
    return;
  }
  config::apply_reloadable(room_, next);
  authoring_->room_changed(room_);
  spdlog::info(
      "reloaded {}: {} profile(s){}", room_.source.string(), room_.profiles.size(),
      engine_.state() == SessionState::idle ? "" : "; the running session keeps its profile");
  record_configuration(next, print, "SIGHUP");
  state_->profiles();
}

void App::shutdown(std::function<void()> done) {
  if (shutting_down_) return;  // a second signal never skips the wind-down
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  shutdown_deadline_ = Clock::now() + options_.shutdown_timeout;
  notifier_.stopping();
  spdlog::info("shutdown: winding the room down");
  control_.shut_down(Clock::now());
  flush_control();
  // A room already at rest and silent has nothing to wind down: it leaves now, not at the next
  // tick (the stop queued above still reaches the drive: a bus sends what is queued as it stops).
  finish_shutdown_once_safe(Clock::now());
}

void App::finish_shutdown() {
  finished_ = true;
  loop_.stop();
  state_->session(Clock::now());
  // The last records reach the disk, and their events and replies the broker, before exit.
  dose_->stop();
  recorder_.stop();
  flush_outbox();
  if (estop_link_) estop_link_->stop(2s);
  mqtt_->stop(2s);
  for (auto& [id, bus] : buses_) bus->stop();
  spdlog::info("shutdown: done");
  if (shutdown_done_) shutdown_done_();
}

}  // namespace sensoryd
