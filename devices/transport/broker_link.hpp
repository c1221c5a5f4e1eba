// What the app needs from its connection to the room's broker: handlers for connect and
// disconnect (called on the logic thread) and for messages (called on the link's receive
// thread, so it must be thread-safe and quick: the app queues the message, bounded),
// publishing, replies and availability. MqttLink (Paho) is the real one; the app's unit tests give
// it a fake.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "devices/transport/mqtt_port.hpp"

namespace sensoryd {

struct InboundMessage {
  std::string topic;
  std::string payload;
  // Its size as received. Larger than `payload` when the link did not keep a payload over its
  // ceiling (MqttLink::kMaxInboundBytes): a command is then refused as too large. 0: as payload.
  std::size_t payload_bytes = 0;
  bool retained = false;
  std::string response_topic;    // MQTT 5 Response Topic, empty when absent
  std::string correlation_data;  // MQTT 5 Correlation Data, echoed with the reply
  // When it arrived (set by the App on the receive thread): a command's freshness (`sent_at`)
  // is judged at arrival, once, not after its wait in the queue.
  std::chrono::system_clock::time_point received_at{};
};

class BrokerLink : public devices::MqttPort {
 public:
  // After every (re)connect: subscribe and republish retained state. The link publishes
  // `online` on the availability topic once this handler has returned.
  virtual void on_connected(std::function<void()> handler) = 0;
  virtual void on_disconnected(std::function<void()> handler) = 0;
  virtual void on_message(std::function<void(const InboundMessage&)> handler) = 0;

  virtual void start() = 0;
  // Publishes `offline` on availability and disconnects; waits at most `timeout`.
  virtual void stop(std::chrono::milliseconds timeout) = 0;

  // Subscribes with Retain As Published: a message's retained flag reaches the handler as sent.
  virtual void subscribe(const std::string& filter) = 0;
  // Never throws: a publish while disconnected is dropped, since retained state is
  // republished on the next connect anyway.
  virtual void publish(const std::string& topic, const std::string& payload, bool retained) = 0;
  // A device command: not retained, so a restarted device never replays a stale one.
  void publish(const std::string& topic, const std::string& payload) override {
    publish(topic, payload, false);
  }
  // A command's reply, with the request's MQTT 5 Correlation Data (empty: none). An `urgent`
  // one (an E-stop's) goes ahead of every other reply and event waiting, and is never dropped
  // for a backlog: a flood of another client's commands must not swallow it.
  virtual void publish_reply(const std::string& topic, const std::string& payload,
                             const std::string& correlation_data, bool urgent) = 0;
};

}  // namespace sensoryd
