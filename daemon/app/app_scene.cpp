// App's lights, sound and MQTT devices: the scene each tick, its events, and the routing of
// device messages from the broker.
#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"
#include "daemon/scene/scene_records.hpp"

namespace sensoryd {

std::map<std::string, SwitchState> App::switch_states() {
  std::map<std::string, SwitchState> switches;
  for (const auto& input : supervisor_->inputs()) {
    if (input->role() != config::InputRole::child_switch) continue;
    SwitchState& state = modbus_switches_[input->id()];
    if (input->active() && !state.active) ++state.presses;
    state.active = input->active();
    switches[input->id()] = state;
  }
  for (const auto& input : mqtt_inputs_) {
    if (input->role() != config::InputRole::child_switch) continue;
    switches[input->id()] = SwitchState{input->active(), input->presses()};
  }
  return switches;
}

void App::tick_scene(Clock::time_point now) {
  Cue cue = engine_.cue();
  const Scene& scene = planner_.update(cue, switch_states(), now);
  // The session's child as at its start (a plan saved since applies from the next session).
  const config::Child* child = cue.child.empty() ? nullptr : control_.session_child();
  scene_->update(scene, child, supervisor_->interlocks().tripped(), now);
  for (const auto& event : planner_.take_events()) {
    if (event.kind == SceneEvent::Kind::strobe_capped) {
      spdlog::info("light {}: strobe stopped after {} s (limits.light.max_strobe)", event.fixture,
                   std::chrono::duration<double>(room_.limits.light.max_strobe).count());
      Record capped = strobe_capped_record(event.fixture, engine_.session_id());
      record(capped.type, std::move(capped.fields));
    } else {
      record(event.kind == SceneEvent::Kind::trigger_applied ? EventType::trigger_applied
                                                             : EventType::trigger_ended,
             {{"session_id", engine_.session_id()}, {"input", event.input}});
    }
  }
  for (const auto& clamp : scene_->take_clamps()) {
    spdlog::info("limit clamped: {} {} asked {}, allowed {} ({})", clamp.channel, clamp.device,
                 clamp.asked, clamp.allowed, clamp.limit);
    Record clamped = clamp_record(clamp, engine_.session_id());
    record(clamped.type, std::move(clamped.fields));
  }
}

bool App::route_device_message(const InboundMessage& message) {
  bool handled = false;
  for (auto* device : mqtt_devices_) {
    handled = device->message(message.topic, message.payload, Clock::now()) || handled;
  }
  if (handled) state_->devices_changed();
  return handled;
}

void App::scene_broker_connected(bool connected) {
  for (auto* device : mqtt_devices_) {
    device->broker_connected(connected);
    if (connected) {
      for (const auto& topic : device->subscriptions()) mqtt_->subscribe(topic);
    }
  }
}

}  // namespace sensoryd
