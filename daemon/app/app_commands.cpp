// App: the Intake's messages, a slice at a time, each to where it goes: tablet commands to the
// CommandDesk, Home Assistant's to the DiscoveryKeeper, the rest to the MQTT devices.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "config/profile_form.hpp"
#include "daemon/app/app.hpp"
#include "daemon/session/command.hpp"
#include "daemon/session/json_text.hpp"
#include "devices/transport/mqtt_link.hpp"

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

// A profile command as large as the editor may send must reach it whole.
static_assert(config::kMaxProfileCommandBytes <= MqttLink::kMaxInboundBytes);

bool App::hand_to_authoring(const InboundMessage& message, Action action, const std::string& user) {
  authoring::EditRequest request{action, message.payload, message.payload_bytes, user};
  return authoring_->submit(std::move(request), [this, message](authoring::EditResult result) {
    post([this, message, result = std::move(result)]() mutable {
      apply_edit(message, std::move(result));
    });
  });
}

void App::apply_edit(const InboundMessage& message, authoring::EditResult result) {
  logic_thread_.check("a profile command's result");
  std::uint64_t records_before = recorder_.last_record();
  if (result.record) {
    Fields fields;
    for (const auto& [key, value] : result.record->items()) {
      if (value.is_number_integer()) {
        fields.set(key, value.get<std::int64_t>());
      } else if (value.is_string()) {
        fields.set(key, value.get<std::string>());
      }
    }
    if (result.saved) {
      spdlog::info("profile {} saved as version {} by {}: {}", result.saved->id,
                   result.record->value("version", 0), result.record->value("author", ""),
                   result.record->value("summary", ""));
      room_.profiles[result.saved->id] = std::move(*result.saved);
      record(EventType::profile_saved, std::move(fields));
    } else if (!result.deleted.empty()) {
      spdlog::info("profile {} deleted by {}", result.deleted, result.record->value("author", ""));
      room_.profiles.erase(result.deleted);
      record(EventType::profile_deleted, std::move(fields));
    } else if (result.plan) {
      spdlog::info("the plan of child {} saved as version {} by {}: {}", result.plan->id,
                   result.record->value("version", 0), result.record->value("author", ""),
                   result.record->value("summary", ""));
      room_.children.insert_or_assign(result.plan->id, std::move(*result.plan));
      record(EventType::child_plan_saved, std::move(fields));
    }
    state_->profiles();
  }
  nlohmann::json reply = std::move(result.reply);
  if (result.ok) {
    reply["request_id"] = result.request_id;
    reply["ok"] = true;
    desk_.answer(message, json_text(reply), nullptr, records_before, Clock::now());
    return;
  }
  nlohmann::json error = std::move(reply);
  error["code"] = result.code;
  error["message"] = result.message;
  nlohmann::json refusal_reply{
      {"request_id", result.request_id}, {"ok", false}, {"error", std::move(error)}};
  CommandError refusal{result.request_id, result.code, result.message};
  desk_.answer(message, json_text(refusal_reply), &refusal, records_before, Clock::now());
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
