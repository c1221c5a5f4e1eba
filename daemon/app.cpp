#include "daemon/app.hpp"

#include <spdlog/spdlog.h>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "daemon/child_rules.hpp"
#include "daemon/command.hpp"
#include "daemon/status_json.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::unique_ptr<SafetySupervisor> make_supervisor(
    const config::Room& room, std::map<std::string, std::unique_ptr<devices::ModbusBus>>& buses) {
  const config::Device& swing = *room.devices_of(config::DeviceKind::swing_drive).front();
  auto drive = std::make_unique<devices::SwingDrive>(swing.id, *swing.swing,
                                                     *buses.at(swing.swing->modbus.bus));
  drive->attach();
  return std::make_unique<SafetySupervisor>(room.limits.swing, std::move(drive));
}

std::map<std::string, std::unique_ptr<devices::ModbusBus>> make_buses(const config::Room& room,
                                                                      asio::io_context& io) {
  std::map<std::string, std::unique_ptr<devices::ModbusBus>> buses;
  for (const auto& bus : room.buses) {
    if (bus.type != config::BusType::tcp) {
      throw std::runtime_error("bus " + bus.id +
                               ": this version drives Modbus TCP buses only; RTU comes later");
    }
    buses.emplace(bus.id,
                  std::make_unique<devices::ModbusBus>(
                      devices::BusSettings{bus.id, bus.host, bus.port, bus.response_timeout},
                      io.get_executor()));
  }
  return buses;
}

}  // namespace

App::App(config::Room room, asio::io_context& io, AppOptions options)
    : room_(std::move(room)),
      io_(io),
      options_(options),
      topic_prefix_("sensoryd/" + room_.id + "/"),
      buses_(make_buses(room_, io)),
      supervisor_(make_supervisor(room_, buses_)),
      engine_(room_.id),
      session_log_(options_.state_dir / "sessions.jsonl"),
      mqtt_(room_.mqtt, topic_prefix_ + "availability", io.get_executor()),
      tick_timer_(io) {
  supervisor_->on_device_change([this] { devices_changed(); });
  if (!session_log_.healthy()) {
    session_log_failed_ = true;
    spdlog::error("session log: {}; sessions still run, but are not recorded",
                  session_log_.error());
  }
  mqtt_.on_connected([this] {
    mqtt_.subscribe(topic_prefix_ + "cmd/+");
    publish_retained_state();
    if (supervisor_->motion_allowed()) notifier_.ready();
  });
  mqtt_.on_message([this](const InboundMessage& message) { handle_message(message); });
}

App::~App() {
  // Buses post into io_; stop their threads before anything they could call goes away.
  for (auto& [id, bus] : buses_) bus->stop();
}

void App::start() {
  spdlog::info(
      "room {}: starting with {} profile(s); swing output safe until the drive is "
      "confirmed",
      room_.id, room_.profiles.size());
  for (auto& [id, bus] : buses_) bus->start();
  mqtt_.start();
  next_tick_ = Clock::now();
  arm_tick();
}

void App::arm_tick() {
  // Re-armed from the previous expiry, so the loop keeps its rate without drifting.
  next_tick_ += options_.tick;
  auto now = Clock::now();
  if (next_tick_ < now - options_.tick * 5) next_tick_ = now;  // after a stall, do not race
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || finished_) return;
    tick();
    if (!finished_) arm_tick();
  });
}

void App::tick() {
  auto now = Clock::now();
  SwingTarget wanted = engine_.update(now);
  supervisor_->update(wanted, now);
  // systemd's watchdog is fed only while this loop runs and no bus worker is stuck: a hung
  // bus thread gets the daemon restarted, while this loop keeps the room safe meanwhile.
  if (buses_alive(now)) notifier_.watchdog(now);
  publish_engine_events();
  if (now - last_session_publish_ >= 1s && engine_.state() != SessionState::idle) {
    publish_session();
  }
  if (now - last_devices_publish_ >= 1s) publish_devices();
  if (shutting_down_) {
    bool stopped = supervisor_->swing_at_rest() && (!supervisor_->swing().reading().valid ||
                                                    !supervisor_->swing().reading().running);
    if (stopped || now >= shutdown_deadline_) {
      if (!stopped) spdlog::error("shutdown: the swing did not report a stop in time; exiting");
      finish_shutdown();
    }
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

void App::publish_retained_state() {
  publish_profiles();
  publish_session();
  last_devices_payload_.clear();  // a new connection always gets the device state
  publish_devices();
}

void App::publish_profiles() {
  mqtt_.publish(topic_prefix_ + "profiles", profiles_json(room_.profiles), true);
}

void App::reload(const config::LoadResult& loaded) {
  if (!loaded.room) {
    for (const auto& error : loaded.diagnostics.errors) spdlog::error("{}", error.to_string());
    spdlog::error("reload refused: {} error(s) in {}; the running configuration stays in force",
                  loaded.diagnostics.errors.size(), room_.source.string());
    record("config_reload_refused",
           json{{"errors", loaded.diagnostics.errors.size()}, {"reason", "invalid"}}.dump());
    return;
  }
  const config::Room& next = *loaded.room;
  std::vector<std::string> needs_restart;
  if (next.id != room_.id) needs_restart.push_back("[room] id");
  if (!(next.mqtt == room_.mqtt)) needs_restart.push_back("[mqtt]");
  if (!(next.buses == room_.buses)) needs_restart.push_back("[buses]");
  if (!(next.devices == room_.devices) || !(next.calibrations == room_.calibrations)) {
    needs_restart.push_back("[devices]");
  }
  if (!(next.limits == room_.limits)) needs_restart.push_back("[limits]");
  if (!(next.safe_scene == room_.safe_scene)) needs_restart.push_back("[safe_scene]");
  if (!needs_restart.empty()) {
    std::string what;
    for (const auto& part : needs_restart) what += (what.empty() ? "" : ", ") + part;
    spdlog::error(
        "reload refused: changes to {} take effect only at a restart (systemctl "
        "restart sensoryd, between sessions); the running configuration stays in force",
        what);
    record("config_reload_refused", json{{"reason", "needs_restart"}, {"sections", what}}.dump());
    return;
  }
  room_.profiles = next.profiles;
  room_.children = next.children;
  room_.name = next.name;
  spdlog::info(
      "reloaded {}: {} profile(s){}", room_.source.string(), room_.profiles.size(),
      engine_.state() == SessionState::idle ? "" : "; the running session keeps its profile");
  record("config_reloaded", json{{"profiles", room_.profiles.size()}}.dump());
  publish_profiles();
}

void App::publish_session() {
  last_session_publish_ = Clock::now();
  mqtt_.publish(topic_prefix_ + "session", session_json(engine_.snapshot(Clock::now())), true);
}

void App::publish_devices() {
  last_devices_publish_ = Clock::now();
  const auto& swing = supervisor_->swing();
  std::string payload = swing_device_json(swing);
  // Readings change every poll; a once-a-second update is enough, and an unchanged one is not
  // sent again (the retained copy on the broker is already current).
  if (payload == last_devices_payload_ && mqtt_.connected()) return;
  last_devices_payload_ = payload;
  mqtt_.publish(topic_prefix_ + "devices/" + swing.id(), payload, true);
}

void App::record(const std::string& type, const std::string& fields_json) {
  std::string line = event_json(std::chrono::system_clock::now(), type, fields_json);
  mqtt_.publish(topic_prefix_ + "events", line, false);
  bool written = session_log_.append(line);
  if (written == session_log_failed_) {
    session_log_failed_ = !written;
    if (written) {
      spdlog::warn("session log: writing again to {}", session_log_.file().string());
    } else {
      spdlog::error("session log: {}; sessions still run, but are not recorded",
                    session_log_.error());
    }
  }
}

void App::publish_engine_events() {
  auto events = engine_.take_events();
  for (const auto& event : events) {
    switch (event.type) {
      case EngineEvent::Type::session_started:
        break;  // published with the reply, where the session id is known
      case EngineEvent::Type::step_changed:
        spdlog::info("session: step {} '{}'", event.step_index, event.step_name);
        record("step_changed", json{{"session_id", engine_.session_id()},
                                    {"index", event.step_index},
                                    {"name", event.step_name}}
                                   .dump());
        break;
      case EngineEvent::Type::session_ended:
        spdlog::info("session: ended ({})", event.reason);
        record("session_ended",
               json{{"session_id", engine_.session_id()}, {"reason", event.reason}}.dump());
        break;
    }
  }
  if (!events.empty()) publish_session();
}

void App::devices_changed() {
  publish_devices();
  if (supervisor_->motion_allowed()) {
    if (mqtt_.connected()) notifier_.ready();
  } else if (engine_.state() == SessionState::running) {
    // S5: motion stops and the session pauses; only a therapist's resume continues it.
    spdlog::warn("session: paused, {}", supervisor_->motion_refusal());
    engine_.pause(Clock::now());
    record("session_paused",
           json{{"session_id", engine_.session_id()}, {"reason", "device_lost"}}.dump());
    publish_session();
  }
}

void App::handle_message(const InboundMessage& message) {
  if (message.retained) {
    // A retained command is old by nature; acting on it replays the past (SAFETY.md S17).
    spdlog::warn("ignored retained command on {}: commands must not be retained", message.topic);
    return;
  }
  std::string action = message.topic.substr(topic_prefix_.size() + 4);  // after "cmd/"
  auto parsed = parse_command(action, message.payload, std::chrono::system_clock::now());
  if (auto* error = std::get_if<CommandError>(&parsed)) {
    refuse(message, *error);
    return;
  }
  execute(std::get<Command>(parsed), message);
}

void App::execute(const Command& command, const InboundMessage& message) {
  auto now = Clock::now();
  if (command.action == "start") {
    if (shutting_down_) {
      refuse(message, {command.request_id, "not_allowed_in_state",
                       "sensoryd is shutting down: wait for it to restart"});
      return;
    }
    if (engine_.state() != SessionState::idle) {
      refuse(message, {command.request_id, "not_allowed_in_state",
                       "a session is already running: stop it first"});
      return;
    }
    const config::Profile* profile = room_.find_profile(command.start.profile);
    if (profile == nullptr) {
      refuse(message, {command.request_id, "unknown_profile",
                       "there is no profile '" + command.start.profile +
                           "': pick one from sensoryd/" + room_.id + "/profiles"});
      return;
    }
    if (!command.start.child.empty()) {
      const config::Child* child = room_.find_child(command.start.child);
      if (child == nullptr) {
        refuse(message, {command.request_id, "unknown_child",
                         "there is no child '" + command.start.child +
                             "' in this room's configuration: check the id"});
        return;
      }
      if (auto reason = contraindication(*profile, *child)) {
        refuse(message, {command.request_id, "contraindicated", *reason});
        return;
      }
    }
    if (!supervisor_->motion_allowed()) {
      refuse(message, {command.request_id, "device_unavailable", supervisor_->motion_refusal()});
      return;
    }
    StartRequest request{command.start.child, command.therapist, command.start.intensity};
    std::string session_id =
        engine_.start(*profile, request, now, std::chrono::system_clock::now());
    spdlog::info("session {}: started profile {} (therapist '{}', child '{}', intensity {})",
                 session_id, profile->id, request.therapist, request.child, request.intensity);
    reply(message, ok_reply(command.request_id, session_id));
    record("session_started", json{{"session_id", session_id},
                                   {"room", room_.id},
                                   {"profile", profile->id},
                                   {"child", request.child},
                                   {"therapist", request.therapist},
                                   {"intensity", request.intensity}}
                                  .dump(-1, ' ', false, json::error_handler_t::replace));
    engine_.take_events();  // the start is announced above
    publish_session();
    return;
  }
  if (command.action == "stop") {
    if (engine_.state() == SessionState::idle) {
      refuse(message, {command.request_id, "not_allowed_in_state", "no session is running"});
      return;
    }
    engine_.stop("stopped", now, true);  // the profile's wind-down runs first
    reply(message, ok_reply(command.request_id));
    publish_engine_events();
    return;
  }
  if (command.action == "pause") {
    if (!engine_.pause(now)) {
      refuse(message,
             {command.request_id, "not_allowed_in_state", "only a running session can be paused"});
      return;
    }
    reply(message, ok_reply(command.request_id));
    record("session_paused",
           json{{"session_id", engine_.session_id()}, {"reason", "therapist"}}.dump());
    publish_session();
    return;
  }
  if (command.action == "resume") {
    if (engine_.state() != SessionState::paused) {
      refuse(message, {command.request_id, "not_allowed_in_state", "the session is not paused"});
      return;
    }
    if (!supervisor_->motion_allowed()) {
      refuse(message, {command.request_id, "device_unavailable", supervisor_->motion_refusal()});
      return;
    }
    engine_.resume(now);
    reply(message, ok_reply(command.request_id));
    record("session_resumed", json{{"session_id", engine_.session_id()}}.dump());
    publish_session();
    return;
  }
  if (command.action == "go") {
    if (!engine_.go(now)) {
      refuse(message, {command.request_id, "not_allowed_in_state",
                       "the current step does not wait for go: it moves on by itself"});
      return;
    }
    reply(message, ok_reply(command.request_id));
    publish_engine_events();
    return;
  }
}

void App::reply(const InboundMessage& message, const std::string& payload) {
  if (!message.response_topic.empty()) {
    mqtt_.publish_reply(message.response_topic, payload, message.correlation_data);
  } else {
    mqtt_.publish_reply(topic_prefix_ + "reply", payload, {});
  }
}

void App::refuse(const InboundMessage& message, const CommandError& error) {
  spdlog::info("command {} refused: {} ({})", message.topic, error.code, error.message);
  reply(message, error_reply(error));
  record("command_refused", json{{"action", message.topic.substr(topic_prefix_.size() + 4)},
                                 {"code", error.code},
                                 {"request_id", error.request_id}}
                                .dump(-1, ' ', false, json::error_handler_t::replace));
}

void App::shutdown(std::function<void()> done) {
  if (shutting_down_) return;  // a second signal never skips the wind-down
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  shutdown_deadline_ = Clock::now() + options_.shutdown_timeout;
  notifier_.stopping();
  spdlog::info("shutdown: winding the room down");
  // No wind-down steps: the swing ramps to rest at once, within systemd's stop timeout.
  if (engine_.state() != SessionState::idle) engine_.stop("shutdown", Clock::now(), false);
}

void App::finish_shutdown() {
  finished_ = true;
  tick_timer_.cancel();
  publish_session();
  mqtt_.stop(2s);
  for (auto& [id, bus] : buses_) bus->stop();
  spdlog::info("shutdown: done");
  if (shutdown_done_) shutdown_done_();
}

}  // namespace sensoryd
