// The daemon's connection to the room's MQTT broker (Paho async, MQTT 5). Paho's callbacks run
// on Paho's thread; every one is posted to the logic executor, so handlers need no locks.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "devices/transport/asio.hpp"
#include "devices/transport/mqtt_port.hpp"

namespace mqtt {
class async_client;
class iaction_listener;
}  // namespace mqtt

namespace sensoryd {

struct InboundMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
  std::string response_topic;    // MQTT 5 Response Topic, empty when absent
  std::string correlation_data;  // MQTT 5 Correlation Data, echoed with the reply
};

// It is also the MQTT device drivers' port to the broker (commands to lights and players).
class MqttLink final : public devices::MqttPort {
 public:
  MqttLink(const config::MqttSettings& settings, std::string availability_topic,
           asio::any_io_executor logic);
  ~MqttLink();
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  // Called on the logic thread after every (re)connect: subscribe and republish retained state.
  void on_connected(std::function<void()> handler) { on_connected_ = std::move(handler); }
  // Called on the logic thread when the connection is lost.
  void on_disconnected(std::function<void()> handler) { on_disconnected_ = std::move(handler); }
  void on_message(std::function<void(const InboundMessage&)> handler) {
    on_message_ = std::move(handler);
  }

  void start();
  // Publishes `offline` on availability and disconnects; waits at most `timeout`.
  void stop(std::chrono::milliseconds timeout);

  bool connected() const override { return connected_; }
  void subscribe(const std::string& filter);
  // Never throws: a publish while disconnected is dropped, since retained state is republished
  // on the next connect anyway.
  void publish(const std::string& topic, const std::string& payload, bool retained);
  // A device command: not retained, so a restarted device never replays a stale one.
  void publish(const std::string& topic, const std::string& payload) override {
    publish(topic, payload, false);
  }
  void publish_reply(const std::string& topic, const std::string& payload,
                     const std::string& correlation_data);

 private:
  void connect();
  void schedule_retry();

  config::MqttSettings settings_;
  std::string availability_topic_;
  asio::any_io_executor logic_;
  std::unique_ptr<mqtt::async_client> client_;
  std::unique_ptr<mqtt::iaction_listener> connect_listener_;
  asio::steady_timer retry_timer_;
  bool connected_ = false;
  bool stopping_ = false;
  bool ever_connected_ = false;
  std::function<void()> on_connected_;
  std::function<void()> on_disconnected_;
  std::function<void(const InboundMessage&)> on_message_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sensoryd
