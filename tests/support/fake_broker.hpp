// The App's broker link for in-process tests and benchmarks: records what is published and
// delivers what the test sends, all on the calling thread; and a room for the App whose only bus
// is a serial one on /dev/null, so that nothing is reached and no socket is opened.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "devices/transport/broker_link.hpp"

namespace sensoryd::test {

class FakeBroker final : public BrokerLink {
 public:
  // As Paho may: messages still delivered on its thread while the link is being torn down.
  ~FakeBroker() override {
    for (const auto& message : delivered_while_destroyed) {
      if (on_message_) on_message_(message);
    }
  }
  struct Published {
    std::string topic;
    std::string payload;
    bool retained;
    std::string correlation_data;
    bool urgent = false;
  };

  void on_connected(std::function<void()> handler) override { on_connected_ = std::move(handler); }
  void on_disconnected(std::function<void()> handler) override {
    on_disconnected_ = std::move(handler);
  }
  void on_message(std::function<void(const InboundMessage&)> handler) override {
    on_message_ = std::move(handler);
  }
  void start() override { started = true; }
  void stop(std::chrono::milliseconds) override { up = false; }
  bool connected() const override { return up; }
  void subscribe(const std::string& filter) override { subscriptions.push_back(filter); }
  using BrokerLink::publish;
  void publish(const std::string& topic, const std::string& payload, bool retained) override {
    published.push_back({topic, payload, retained, {}});
  }
  void publish_reply(const std::string& topic, const std::string& payload,
                     const std::string& correlation_data, bool urgent) override {
    published.push_back({topic, payload, false, correlation_data, urgent});
  }

  // As the real link does: connect on the logic thread, messages on its receive thread (here
  // the test's, which is also the logic thread: the App queues them and drains them as the
  // io_context runs).
  void connect() {
    up = true;
    on_connected_();
  }
  void deliver(InboundMessage message) { on_message_(message); }
  // A command as a tablet publishes it: live, not retained, no response topic.
  void command(const std::string& topic, const std::string& payload) {
    InboundMessage message;
    message.topic = topic;
    message.payload = payload;
    deliver(message);
  }

  // The last message published on `topic`, if any.
  const Published* last(const std::string& topic) const {
    for (auto it = published.rbegin(); it != published.rend(); ++it) {
      if (it->topic == topic) return &*it;
    }
    return nullptr;
  }

  bool started = false;
  bool up = false;
  std::vector<InboundMessage> delivered_while_destroyed;
  std::vector<std::string> subscriptions;
  std::vector<Published> published;

 private:
  std::function<void()> on_connected_;
  std::function<void()> on_disconnected_;
  std::function<void(const InboundMessage&)> on_message_;
};

constexpr const char* kInProcessRoom = R"([room]
id = "r"
profiles_dir = "profiles"

[mqtt]
uri = "tcp://127.0.0.1:1"

[buses.cabinet]
type = "rtu"
device = "/dev/null"

[devices.swing]
kind = "swing_drive"
bus = "cabinet"
unit = 1

[devices.swing.registers]
control = 0
mode = 1
amplitude = 2
period = 3
comm_loss_timeout = 4
comm_loss_action = 5
heartbeat = 6
status = 0
angle = 1
measured_amplitude = 2
fault_code = 3

[limits.devices]
estop_required = false
estop_required_reason = "in-process tests of the App's MQTT handling: no equipment answers"

[children.c-1]
flags = ["photosensitive"]

[children.c-2]
profiles = ["later"]
)";

constexpr const char* kInProcessProfile = R"(id = "calm"
title = "Calm"
purpose = "calming"

[[steps]]
name = "settle"
duration = "30s"
swing = { mode = "linear", amplitude_deg = 5, period = "4s" }
)";

constexpr const char* kInProcessLaterProfile = R"(id = "later"
title = "Later"
purpose = "calming"

[[steps]]
name = "rest"
duration = "30s"
)";

// Writes the room (and its profiles "calm" and "later") into `dir` and loads it.
inline config::LoadResult write_in_process_room(const std::filesystem::path& dir,
                                                const std::string& room_text = kInProcessRoom) {
  std::filesystem::create_directories(dir / "profiles");
  std::ofstream(dir / "room.toml") << room_text;
  std::ofstream(dir / "profiles" / "calm.toml") << kInProcessProfile;
  std::ofstream(dir / "profiles" / "later.toml") << kInProcessLaterProfile;
  return config::load_room(dir / "room.toml");
}

}  // namespace sensoryd::test
