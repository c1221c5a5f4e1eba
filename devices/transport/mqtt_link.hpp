// The daemon's connection to the room's MQTT broker (Paho async, MQTT 5). Paho's callbacks run
// on Paho's receive thread (one for every client in the process). Connect, disconnect and
// connect failures are posted to the logic executor, so their handlers need no locks; the
// message handler is called right there, on Paho's thread, and must be thread-safe and quick
// (the App's is InboundGate::arrived, which only queues, bounded).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/model.hpp"
#include "devices/transport/asio.hpp"
#include "devices/transport/broker_link.hpp"
#include "devices/transport/outbound_queue.hpp"
#include "devices/transport/rate_limit.hpp"

namespace mqtt {
class async_client;
class iaction_listener;
class message;
using message_ptr = std::shared_ptr<message>;
}  // namespace mqtt

namespace sensoryd {

// It is also the MQTT device drivers' port to the broker (commands to lights and players).
// With an empty availability topic it has no will and says neither online nor offline: the
// E-stop connection, which only listens (docs/safety.md S19).
class MqttLink final : public BrokerLink {
 public:
  // The largest payload sensoryd keeps (docs/mqtt-api.md, "Floods"): a command is at most
  // 16 KiB, an equipment state a few hundred bytes. Beyond it a message is counted and passed
  // on without its payload, before any copy or parse.
  static constexpr std::size_t kMaxInboundBytes = 64 * 1024;

  MqttLink(const config::MqttSettings& settings, std::string availability_topic,
           asio::any_io_executor logic);
  ~MqttLink();
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  void on_connected(std::function<void()> handler) override { on_connected_ = std::move(handler); }
  void on_disconnected(std::function<void()> handler) override {
    on_disconnected_ = std::move(handler);
  }
  void on_message(std::function<void(const InboundMessage&)> handler) override {
    on_message_ = std::move(handler);
  }

  void start() override;
  void stop(std::chrono::milliseconds timeout) override;

  bool connected() const override { return connected_; }
  // Subscribed by the publisher thread, after the retained state published before this call
  // and before what is published after it.
  void subscribe(const std::string& filter) override;
  using BrokerLink::publish;
  void publish(const std::string& topic, const std::string& payload, bool retained) override;
  void publish_reply(const std::string& topic, const std::string& payload,
                     const std::string& correlation_data, bool urgent) override;

 private:
  void connect();
  void schedule_retry();
  void enqueue(OutboundQueue::Message message);
  // Paho C's receive thread sleeps 100 ms after a poll that found nothing for a second, so a
  // command arriving then would wait up to 100 ms. The publisher thread sends a small message
  // to itself after 250 ms without work, which keeps that poll from ever timing out
  // (docs/safety.md, "Timing under load").
  void run_publisher();
  void send_subscription(const std::string& filter);
  void stop_publisher();
  // Paho C sends no more QoS 1 messages than the broker's Receive Maximum (mosquitto: 20) and,
  // with that window full, its send thread waits up to a second unless a new command wakes it:
  // after a burst of replies the rest would trickle out at a few dozen a second. Each
  // acknowledgement that leaves others waiting is followed by a small QoS 0 message to itself,
  // which wakes the send thread to use the freed slot.
  void send(mqtt::message_ptr message);
  void acknowledged();
  void wake_sender();

  config::MqttSettings settings_;
  std::string availability_topic_;
  asio::any_io_executor logic_;
  std::unique_ptr<mqtt::async_client> client_;
  std::unique_ptr<mqtt::iaction_listener> connect_listener_;
  std::unique_ptr<mqtt::iaction_listener> ack_listener_;
  std::atomic<int> unacknowledged_{0};
  asio::steady_timer retry_timer_;
  std::string wake_topic_;
  std::mutex outbound_mutex_;
  std::condition_variable outbound_ready_;
  // Subscriptions and publishes for the publisher thread, under outbound_mutex_: subscribing
  // takes Paho's client lock, which its receive thread holds through a flood, so the logic
  // thread never does.
  OutboundQueue outbound_;
  bool publisher_stop_ = false;
  std::thread publisher_;
  bool connected_ = false;
  bool stopping_ = false;
  bool ever_connected_ = false;
  std::function<void()> on_connected_;
  std::function<void()> on_disconnected_;
  std::function<void(const InboundMessage&)> on_message_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::atomic<std::uint64_t> oversize_{0};  // messages over kMaxInboundBytes, not kept
  RateLimit oversize_logs_{1.0, 5.0};       // Paho's receive thread only
};

}  // namespace sensoryd
