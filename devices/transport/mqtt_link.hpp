// The daemon's connection to the room's broker (MQTT 5, libmosquitto), on a thread of its own:
// it waits in poll() on the connection's socket and on a wake-up from the logic thread, so a
// message is read the moment it arrives and nothing wakes it otherwise (docs/performance.md).
// Connect, disconnect and connect failures are posted to the logic executor, so their handlers
// need no locks; the message handler is called right there, on the link's thread, and must be
// thread-safe and quick (the App's is InboundGate::arrived, which only queues, bounded).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/broker_address.hpp"
#include "config/model.hpp"
#include "devices/transport/asio.hpp"
#include "devices/transport/broker_link.hpp"
#include "devices/transport/outbound_queue.hpp"
#include "devices/transport/rate_limit.hpp"

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;

namespace sensoryd {

// It is also the MQTT device drivers' port to the broker (commands to lights and players).
// With an empty availability topic it has no will and says neither online nor offline: the
// E-stop connection, which only listens (docs/safety.md S19). Each link has its own thread, so
// a flood on the main connection never delays the E-stop connection's reads.
class MqttLink final : public BrokerLink {
 public:
  // The largest payload sensoryd keeps (docs/mqtt-api.md, "Floods"): a command is at most
  // 16 KiB, an equipment state a few hundred bytes. Beyond it a message is counted and passed
  // on without its payload, before any copy or parse.
  static constexpr std::size_t kMaxInboundBytes = 64 * 1024;
  // Until the broker answers: a new attempt every second (the room's broker is on this
  // computer or its network; an attempt costs one connect).
  static constexpr std::chrono::seconds kRetryEvery{1};

  // `niceness`: added to the daemon's nice value for the link's thread (Linux keeps one per
  // thread). The main link reads whatever any client sends, floods included; above 0 it yields
  // the CPU to the E-stop link, the bus workers, the control tick and the broker.
  MqttLink(const config::MqttSettings& settings, std::string availability_topic,
           asio::any_io_executor logic, int niceness = 0);
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
  // Sent by the link's thread, after the retained state published before this call and before
  // what is published after it.
  void subscribe(const std::string& filter) override;
  using BrokerLink::publish;
  void publish(const std::string& topic, const std::string& payload, bool retained) override;
  void publish_reply(const std::string& topic, const std::string& payload,
                     const std::string& correlation_data, bool urgent) override;

  // libmosquitto's callbacks, on the link's thread (public for the C trampolines only).
  void session_began(int reason_code);
  void session_ended(int reason_code);
  void message_arrived(const mosquitto_message& message, const mqtt5__property* properties);
  void acknowledged(int mid);

 private:
  void enqueue(OutboundQueue::Message message);
  void wake();
  // The link's thread: connect, wait on the socket and the wake-up, read, write, keep alive.
  void run();
  void try_connect(std::chrono::steady_clock::time_point now);
  // A connect that failed: said once, until the reason changes or a connect succeeds.
  void connect_failed(const std::string& why);
  // What the queue holds that the broker may take now (the window of unacknowledged messages).
  void send_outbound();
  void send(const OutboundQueue::Message& message);
  // Stopping: what was queued, `offline`, then DISCONNECT, each within the deadline.
  void finish(std::chrono::steady_clock::time_point deadline);
  void wait_on_socket(std::chrono::milliseconds timeout);
  void post(std::function<void()> fn);

  config::MqttSettings settings_;
  config::BrokerAddress address_;
  int niceness_ = 0;
  std::string availability_topic_;
  asio::any_io_executor logic_;
  mosquitto* client_ = nullptr;
  int wake_fd_ = -1;  // an eventfd: the logic thread's nudge to the link's thread
  std::thread thread_;

  // Shared by the logic thread (writes) and the link's thread (takes), under outbound_mutex_.
  std::mutex outbound_mutex_;
  OutboundQueue outbound_;
  std::optional<std::chrono::steady_clock::time_point> stop_deadline_;

  // The link's thread only.
  bool socket_open_ = false;
  bool session_up_ = false;  // CONNACK accepted, not lost since
  int unacknowledged_ = 0;   // QoS 1 messages the broker has not yet acknowledged
  std::optional<int> offline_mid_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::string last_failure_;
  bool refused_ = false;       // this attempt's CONNACK refused it (and said why)
  bool tls_unusable_ = false;  // the TLS files could not be read: said once, never connects
  std::uint64_t dropped_ = 0;
  std::chrono::steady_clock::time_point last_drop_warning_{};
  RateLimit oversize_logs_{1.0, 5.0};
  std::uint64_t oversize_ = 0;  // messages over kMaxInboundBytes, not kept

  // The logic thread only.
  bool connected_ = false;
  bool stopping_ = false;
  std::function<void()> on_connected_;
  std::function<void()> on_disconnected_;
  std::function<void(const InboundMessage&)> on_message_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sensoryd
