#include "daemon/app/state_publisher.hpp"

#include "daemon/record/status_json.hpp"

#include <cstdint>
#include <cstdio>
#include <random>

namespace sensoryd {

using namespace std::chrono_literals;

namespace {

// 64 random bits as 16 hex digits: two runs of sensoryd never share one (docs/mqtt-api.md).
std::string draw_instance() {
  std::random_device device;
  std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(bits));
  return text;
}

}  // namespace

StatePublisher::StatePublisher(StateSources sources, BrokerLink& broker, std::string topic_prefix,
                               Clock::duration tick)
    : sources_(std::move(sources)),
      broker_(broker),
      prefix_(std::move(topic_prefix)),
      tick_(tick),
      instance_(draw_instance()) {}

void StatePublisher::publish(const std::string& subtopic, const std::string& payload,
                             std::string* last) {
  // An unchanged payload is not sent again: the retained copy on the broker is current. On a
  // link that is down nothing is remembered as sent.
  if (last != nullptr) {
    if (payload == *last && broker_.connected()) return;
    *last = payload;
  }
  broker_.publish(prefix_ + subtopic, payload, true);
}

void StatePublisher::connected(Clock::time_point now) {
  last_session_payload_.clear();
  last_device_payloads_.clear();
  last_safety_payload_.clear();
  profiles();
  session(now);
  devices(now);
  safety(now);
}

void StatePublisher::profiles() {
  publish("profiles", profiles_json(sources_.room.profiles), nullptr);
  publish("children", children_json(sources_.room), nullptr);
  publish("limits", limits_json(sources_.room.limits), nullptr);
}

void StatePublisher::session(Clock::time_point now) {
  last_session_ = now;
  publish("session", session_json(sources_.control.snapshot(now), instance_),
          &last_session_payload_);
}

void StatePublisher::devices(Clock::time_point now) {
  last_devices_ = now;
  devices_pending_ = false;
  auto device = [this](const std::string& id, const std::string& payload) {
    publish("devices/" + id, payload, &last_device_payloads_[id]);
  };
  const SafetySupervisor& supervisor = sources_.supervisor;
  device(supervisor.swing().id(), swing_device_json(supervisor.swing()));
  for (const auto& input : supervisor.inputs()) device(input->id(), input_device_json(*input));
  for (const auto& input : sources_.mqtt_inputs) {
    device(input->id(), mqtt_input_device_json(*input));
  }
  const SceneGuard& scene = sources_.scene;
  for (std::size_t i = 0; i < scene.lights().size(); ++i) {
    const auto& light = *scene.lights()[i];
    device(light.id(), light_device_json(light, scene.shown(i)));
  }
  for (std::size_t i = 0; i < scene.players().size(); ++i) {
    device(scene.players()[i].device->id(),
           sound_device_json(*scene.players()[i].device, scene.sound_level_dba(i)));
  }
}

void StatePublisher::safety(Clock::time_point now) {
  const SafetySupervisor& supervisor = sources_.supervisor;
  auto wall_now = std::chrono::system_clock::now();
  const SafetyChecks* checks = sources_.control.checks();
  SafetyStatus status{supervisor.motion_allowed(),
                      &supervisor.interlocks(),
                      supervisor.lease_remaining_s(now),
                      supervisor.lease_length_s(),
                      supervisor.refusal(),
                      sources_.session_log_error(),
                      now,
                      wall_now,
                      checks ? checks->status(wall_now) : std::vector<FunctionalChecks::Status>{},
                      sources_.control.validation()};
  publish("safety", safety_json(status), &last_safety_payload_);
}

bool StatePublisher::publish_state(Clock::time_point now, bool at_once) {
  if (!state_pending_) return false;
  // At most once per tick: a run of commands that each change the state costs one publish.
  if (!at_once && now - last_state_ < tick_) return false;
  last_state_ = now;
  state_pending_ = false;
  session(now);
  safety(now);
  return true;
}

void StatePublisher::tick(Clock::time_point now) {
  publish_state(now, true);
  // Each second: while a session runs its times change; idle, the actions allowed may (the
  // window for notes closes). Sent only when it changed.
  if (now - last_session_ >= 1s) session(now);
  bool second_passed = now - last_devices_ >= 1s;
  if (devices_pending_ || second_passed) devices(now);
  if (second_passed) safety(now);
}

}  // namespace sensoryd
