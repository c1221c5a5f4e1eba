// The room's retained state on the broker (docs/mqtt-api.md): profiles, children, session,
// devices and safety, each rendered when it changed and sent only when its payload did. Session
// and safety changes go out at most once per tick, or at once when asked (a trip, a command's
// outcome); device readings change every poll, so they go out when changed, at most once a
// tick, and every second. A (re)connect sends everything again. Runs on the logic thread; time
// is passed in.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/safety/safety_supervisor.hpp"
#include "daemon/scene/scene_guard.hpp"
#include "daemon/session/session_control.hpp"
#include "devices/mqtt_input.hpp"
#include "devices/transport/broker_link.hpp"

namespace sensoryd {

// What the published state is read from; each outlives the publisher.
struct StateSources {
  const config::Room& room;       // profiles and children
  const SessionControl& control;  // the session, with the actions allowed now
  const SafetySupervisor& supervisor;
  const SceneGuard& scene;
  const std::vector<std::unique_ptr<devices::MqttInput>>& mqtt_inputs;
  // Why the clinical log cannot be written; empty when it can.
  std::function<std::string()> session_log_error;
};

class StatePublisher {
 public:
  using Clock = std::chrono::steady_clock;

  StatePublisher(StateSources sources, BrokerLink& broker, std::string topic_prefix,
                 Clock::duration tick);

  // After every (re)connect: everything, whether or not it changed since the last send.
  void connected(Clock::time_point now);
  // The profiles changed (a reload); the children's allowed profiles change with them.
  void profiles();
  // Session or safety state changed: sent by the next publish_state or tick.
  void state_changed() { state_pending_ = true; }
  // A device reported something new: sent by the next tick.
  void devices_changed() { devices_pending_ = true; }
  // Whether a session or safety change waits to be sent (replies wait for it).
  bool state_pending() const { return state_pending_; }
  // Sends a pending session and safety change: at once when `at_once`, else when a tick has
  // passed since the last such send. True when sent.
  bool publish_state(Clock::time_point now, bool at_once);
  // The safety state now, when its payload changed (a log failure, a lease renewed).
  void safety(Clock::time_point now);
  // The session now, when its payload changed.
  void session(Clock::time_point now);
  // Once per tick: pending state; the session each second while one runs; devices when
  // changed or each second; safety each second (the lease counts down).
  void tick(Clock::time_point now);
  // This run of sensoryd, as the session message names it: drawn at random on construction.
  const std::string& instance() const { return instance_; }

 private:
  void devices(Clock::time_point now);
  void publish(const std::string& subtopic, const std::string& payload, std::string* last);

  StateSources sources_;
  BrokerLink& broker_;
  std::string prefix_;
  Clock::duration tick_;
  std::string instance_;
  bool state_pending_ = false;
  bool devices_pending_ = false;
  Clock::time_point last_state_{};
  Clock::time_point last_session_{};
  Clock::time_point last_devices_{};
  std::string last_session_payload_;
  std::map<std::string, std::string> last_device_payloads_;
  std::string last_safety_payload_;
};

}  // namespace sensoryd
