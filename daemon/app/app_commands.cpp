// App: the Intake's messages, a slice at a time, each to where it goes: tablet commands to the
// CommandDesk, Home Assistant's to the DiscoveryKeeper, the rest to the MQTT devices.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"

namespace sensoryd {

namespace {

// Messages handled per turn of the logic thread: small enough that a safety handler queued
// behind a turn waits well under a millisecond, large enough to keep up with any tablet.
constexpr std::size_t kDrainSlice = 16;

}  // namespace

void App::drain() {
  logic_thread_.check("the intake's drain");
  if (finished_) return;
  Intake::Batch batch = gate_->intake().take(kDrainSlice);
  for (const auto& message : batch.messages) {
    if (desk_.handle(message, Clock::now())) continue;
    // Over the link's ceiling: its payload was not kept, and a device's state or Home
    // Assistant's message cut short means nothing.
    if (message.payload_bytes > message.payload.size()) continue;
    if (discovery_.handle(message.topic, message.payload, Clock::now())) continue;
    if (!route_device_message(message)) {
      spdlog::debug("mqtt: no device listens on {}", message.topic);
    }
  }
  for (const auto& message : batch.busy) desk_.busy(message, Clock::now());
  // One state publish for the slice (at most one per tick), then the replies waiting on it.
  if (state_->publish_state(Clock::now(), false)) flush_outbox();
  flush_outbox();
  if (batch.more) post([this] { drain(); });
}

void App::report_intake(Clock::time_point now) {
  if (now - last_intake_report_ < std::chrono::seconds(1)) return;
  last_intake_report_ = now;
  // A flood has passed: give the memory it took back to the system, so that a daemon that has
  // weathered one does not keep its high-water mark for good.
  if (desk_.report(gate_->intake().take_counts())) ::malloc_trim(0);
  // Once a second at most: the retained commands the broker held back from the last delivery.
  if (desk_.take_retained_cleared() && mqtt_->connected()) subscribe_commands();
}

}  // namespace sensoryd
