#include "devices/transport/mqtt_link.hpp"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

namespace sensoryd {

namespace {

using namespace std::chrono_literals;

constexpr int kMaxBufferedPublishes = 4096;
constexpr int kPahoWindow = 256;  // handed to Paho and not yet acknowledged

class ConnectListener : public mqtt::iaction_listener {
 public:
  explicit ConnectListener(std::function<void(const std::string&)> on_failure)
      : on_failure_(std::move(on_failure)) {}
  void on_failure(const mqtt::token& token) override {
    on_failure_("connect failed (rc " + std::to_string(token.get_return_code()) + ")");
  }
  void on_success(const mqtt::token&) override {}

 private:
  std::function<void(const std::string&)> on_failure_;
};

class AckListener : public mqtt::iaction_listener {
 public:
  explicit AckListener(std::function<void()> done) : done_(std::move(done)) {}
  void on_failure(const mqtt::token&) override { done_(); }
  void on_success(const mqtt::token&) override { done_(); }

 private:
  std::function<void()> done_;
};

}  // namespace

MqttLink::MqttLink(const config::MqttSettings& settings, std::string availability_topic,
                   asio::any_io_executor logic)
    : settings_(settings),
      availability_topic_(std::move(availability_topic)),
      logic_(logic),
      retry_timer_(logic),
      wake_topic_("sensoryd-internal/" + settings.client_id + "/wake") {
  // A client id may hold characters that mean something in a topic filter.
  for (char& c : wake_topic_.replace(0, 0, "")) {
    if (c == '+' || c == '#') c = '_';
  }
  // Paho refuses a publish while 100 wait to be sent, which a burst of replies reaches on a busy
  // broker; room for more, and nothing buffered while disconnected (state is republished).
  mqtt::create_options create(MQTTVERSION_5);
  create.set_max_buffered_messages(kMaxBufferedPublishes);
  create.set_send_while_disconnected(false);
  client_ = std::make_unique<mqtt::async_client>(settings_.uri, settings_.client_id, create);
  std::weak_ptr<bool> alive = alive_;
  auto post = [this, alive](auto fn) {
    asio::post(logic_, [alive, fn = std::move(fn)]() mutable {
      if (!alive.expired()) fn();
    });
  };
  ack_listener_ = std::make_unique<AckListener>([this] { acknowledged(); });
  connect_listener_ = std::make_unique<ConnectListener>([this, post](const std::string& why) {
    post([this, why] {
      if (stopping_) return;
      spdlog::warn("mqtt: {} to {}; retrying", why, settings_.uri);
      schedule_retry();
    });
  });
  client_->set_connected_handler([this, post](const std::string&) {
    post([this] {
      if (stopping_) return;
      connected_ = true;
      ever_connected_ = true;
      spdlog::info("mqtt: connected to {} as {}", settings_.uri, settings_.client_id);
      try {
        client_->subscribe(wake_topic_, 0);
      } catch (const mqtt::exception& e) {
        spdlog::warn("mqtt: subscribe to {} failed: {}", wake_topic_, e.what());
      }
      if (on_connected_) on_connected_();
      // Last: `online` means the retained state published above is current (docs/mqtt-api.md).
      // The publisher thread sends in order, so it follows that state.
      if (!availability_topic_.empty()) publish(availability_topic_, "online", true);
    });
  });
  client_->set_connection_lost_handler([this, post](const std::string& cause) {
    post([this, cause] {
      connected_ = false;
      spdlog::warn("mqtt: connection lost ({}); reconnecting", cause.empty() ? "no cause" : cause);
      if (on_disconnected_) on_disconnected_();
    });
  });
  client_->set_message_callback([this, post](mqtt::const_message_ptr msg) {
    if (msg->get_topic() == wake_topic_) return;  // it did its job by arriving
    InboundMessage in;
    in.topic = msg->get_topic();
    in.payload_bytes = msg->get_payload_ref().size();
    if (in.payload_bytes > kMaxInboundBytes) {
      // Not copied, never parsed: passed on without it, so that a command is refused (and
      // answered) as too large and anything else is dropped. Counted, and logged at a bound.
      auto dropped = oversize_.fetch_add(1) + 1;
      if (oversize_logs_.allow(std::chrono::steady_clock::now())) {
        spdlog::warn(
            "mqtt: a message of {} bytes on {} is over the {} byte ceiling; not kept ({} so far)",
            in.payload_bytes, in.topic, kMaxInboundBytes, dropped);
      }
    } else {
      in.payload = msg->get_payload_str();
    }
    in.retained = msg->is_retained();
    const auto& props = msg->get_properties();
    if (props.contains(mqtt::property::RESPONSE_TOPIC)) {
      in.response_topic = mqtt::get<std::string>(props, mqtt::property::RESPONSE_TOPIC);
    }
    if (props.contains(mqtt::property::CORRELATION_DATA)) {
      in.correlation_data = mqtt::get<std::string>(props, mqtt::property::CORRELATION_DATA);
    }
    // Called here, on Paho's thread: the handler queues it (bounded) for the logic thread, so
    // that a flood never becomes an unbounded queue of posted handlers in front of safety work.
    if (on_message_) on_message_(in);
  });
}

MqttLink::~MqttLink() {
  alive_.reset();
  stop_publisher();
  try {
    client_->disable_callbacks();
    if (client_->is_connected()) client_->disconnect(0)->wait_for(1s);
  } catch (const mqtt::exception&) {
    // Shutting down: nothing more to do with a broken connection.
  }
}

void MqttLink::start() {
  publisher_ = std::thread([this] { run_publisher(); });
  connect();
}

void MqttLink::enqueue(OutboundQueue::Message message) {
  {
    std::lock_guard lock(outbound_mutex_);
    outbound_.publish(std::move(message));
  }
  outbound_ready_.notify_one();
}

void MqttLink::run_publisher() {
  // Said at most once a second, with every drop since it was last said.
  auto last_warning = std::chrono::steady_clock::time_point{};
  std::uint64_t dropped = 0;
  auto report_dropped = [&] {
    auto now = std::chrono::steady_clock::now();
    if (dropped == 0 || now - last_warning < 1s) return;
    spdlog::warn(
        "mqtt: {} message(s) to publish dropped: the broker is not taking them fast enough",
        dropped);
    last_warning = now;
    dropped = 0;
  };
  auto window_free = [this] { return kPahoWindow - unacknowledged_.load(); };
  while (true) {
    std::vector<OutboundQueue::Step> steps;
    {
      std::unique_lock lock(outbound_mutex_);
      // Woken by work, or after 250 ms to keep Paho's receive thread awake (see the header).
      bool work = outbound_ready_.wait_for(
          lock, 250ms, [&] { return publisher_stop_ || outbound_.has_work(window_free()); });
      dropped += outbound_.take_dropped();
      if (!work) {
        lock.unlock();
        report_dropped();
        if (client_->is_connected()) wake_sender();
        continue;
      }
      if (publisher_stop_ && !outbound_.has_work(window_free())) {
        return;  // stopping: what Paho can take was handed over
      }
      steps = outbound_.take(window_free());
    }
    report_dropped();
    if (!client_->is_connected()) continue;  // subscribed and republished on connect
    for (auto& step : steps) {
      if (auto* subscription = std::get_if<OutboundQueue::Subscription>(&step)) {
        send_subscription(subscription->filter);
        continue;
      }
      auto& out = std::get<OutboundQueue::Message>(step);
      try {
        auto message = mqtt::make_message(out.topic, out.payload, 1, out.retained);
        if (!out.correlation_data.empty()) {
          mqtt::properties props;
          props.add(mqtt::property(mqtt::property::CORRELATION_DATA, out.correlation_data));
          message->set_properties(props);
        }
        send(message);
      } catch (const mqtt::exception& e) {
        spdlog::debug("mqtt: publish to {} dropped: {}", out.topic, e.what());
      }
    }
  }
}

void MqttLink::stop_publisher() {
  {
    std::lock_guard lock(outbound_mutex_);
    publisher_stop_ = true;
  }
  outbound_ready_.notify_one();
  if (publisher_.joinable()) publisher_.join();
}

void MqttLink::connect() {
  auto options = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(true)
                     .keep_alive_interval(
                         std::chrono::duration_cast<std::chrono::seconds>(settings_.keepalive))
                     .connect_timeout(5s)
                     .automatic_reconnect(1s, 10s)
                     .finalize();
  if (!availability_topic_.empty()) {
    options.set_will(mqtt::will_options(availability_topic_, std::string{"offline"}, 1, true));
  }
  if (!settings_.username.empty()) {
    options.set_user_name(settings_.username);
    options.set_password(settings_.password);
  }
  if (settings_.tls()) {
    auto ssl = mqtt::ssl_options_builder().trust_store(settings_.ca_file).finalize();
    if (!settings_.cert_file.empty()) {
      ssl.set_key_store(settings_.cert_file);
      ssl.set_private_key(settings_.key_file);
    }
    options.set_ssl(ssl);
  }
  try {
    client_->connect(options, nullptr, *connect_listener_);
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt: cannot connect to {}: {}; retrying", settings_.uri, e.what());
    schedule_retry();
  }
}

void MqttLink::schedule_retry() {
  // Paho reconnects by itself only after a first success; until then sensoryd retries.
  if (ever_connected_) return;
  retry_timer_.expires_after(1s);
  retry_timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (ec || alive.expired() || stopping_) return;
        connect();
      });
}

void MqttLink::send(mqtt::message_ptr message) {
  ++unacknowledged_;
  try {
    client_->publish(std::move(message), nullptr, *ack_listener_);
  } catch (const mqtt::exception&) {
    --unacknowledged_;
    throw;
  }
}

void MqttLink::acknowledged() {
  // On Paho's receive thread. Others still wait: wake the send thread for the freed slot.
  int before = unacknowledged_.fetch_sub(1);
  if (before > 1) wake_sender();
  if (before == kPahoWindow) {
    std::lock_guard lock(outbound_mutex_);  // the publisher may hand Paho more now
    outbound_ready_.notify_one();
  }
}

void MqttLink::wake_sender() {
  try {
    client_->publish(mqtt::make_message(wake_topic_, "", 0, false));
  } catch (const mqtt::exception&) {
    // Not connected: nothing waits to be sent, and the connect republishes state anyway.
  }
}

void MqttLink::stop(std::chrono::milliseconds timeout) {
  stopping_ = true;
  retry_timer_.cancel();
  stop_publisher();  // what was queued goes out first, `offline` last
  if (!client_->is_connected()) return;
  try {
    if (!availability_topic_.empty()) {
      client_->publish(mqtt::make_message(availability_topic_, "offline", 1, true))
          ->wait_for(timeout);
    }
    client_->disconnect()->wait_for(timeout);
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt: clean disconnect failed: {}", e.what());
  }
  connected_ = false;
}

void MqttLink::subscribe(const std::string& filter) {
  {
    std::lock_guard lock(outbound_mutex_);
    outbound_.subscribe(filter);
  }
  outbound_ready_.notify_one();
}

void MqttLink::send_subscription(const std::string& filter) {
  try {
    // Retain As Published (MQTT 5): a retained message keeps its flag when the broker passes it
    // on live, not only when it sends it on subscribe, so a retained command is always known.
    client_->subscribe(filter, 1, mqtt::subscribe_options(false, true));
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt: subscribe to {} failed: {}", filter, e.what());
  }
}

void MqttLink::publish(const std::string& topic, const std::string& payload, bool retained) {
  enqueue({topic, payload, retained, {}, false});
}

void MqttLink::publish_reply(const std::string& topic, const std::string& payload,
                             const std::string& correlation_data, bool urgent) {
  enqueue({topic, payload, false, correlation_data, urgent});
}

}  // namespace sensoryd
