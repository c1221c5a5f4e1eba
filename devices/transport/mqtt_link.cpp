#include "devices/transport/mqtt_link.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <variant>

namespace sensoryd {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Messages handed to the broker and not yet acknowledged. mosquitto takes 20 at a time (its
// Receive Maximum) and libmosquitto keeps the rest in order; beyond this the queue holds them,
// where an E-stop's reply can still go ahead of them.
constexpr int kWindow = 256;
// How often the link's thread looks at the keepalive when nothing arrives: libmosquitto counts
// it in whole seconds.
constexpr auto kKeepaliveLook = 1000ms;

MqttLink& link_of(void* user) {
  return *static_cast<MqttLink*>(user);
}

void began(mosquitto*, void* user, int reason_code, int, const mosquitto_property*) {
  link_of(user).session_began(reason_code);
}
void ended(mosquitto*, void* user, int reason_code, const mosquitto_property*) {
  link_of(user).session_ended(reason_code);
}
void arrived(mosquitto*, void* user, const mosquitto_message* message,
             const mosquitto_property* properties) {
  link_of(user).message_arrived(*message, properties);
}
void published(mosquitto*, void* user, int mid, int, const mosquitto_property*) {
  link_of(user).acknowledged(mid);
}

std::string error_text(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::strerror(errno);
  return mosquitto_strerror(rc);
}

void initialise_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

MqttLink::MqttLink(const config::MqttSettings& settings, std::string availability_topic,
                   asio::any_io_executor logic, int niceness)
    : settings_(settings),
      niceness_(niceness),
      availability_topic_(std::move(availability_topic)),
      logic_(logic) {
  auto address = config::parse_broker_uri(settings_.uri);
  if (auto* why = std::get_if<std::string>(&address)) throw std::invalid_argument(*why);
  address_ = std::get<config::BrokerAddress>(address);
  initialise_library();
  // Clean start (MQTT 5): nothing of an earlier connection's session is wanted; the room's
  // state is published again on every connect.
  client_ = mosquitto_new(settings_.client_id.c_str(), true, this);
  if (client_ == nullptr) throw std::runtime_error("mqtt: cannot create a client (out of memory)");
  mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_int_option(client_, MOSQ_OPT_TCP_NODELAY, 1);  // a reply leaves when it is written
  mosquitto_connect_v5_callback_set(client_, began);
  mosquitto_disconnect_v5_callback_set(client_, ended);
  mosquitto_message_v5_callback_set(client_, arrived);
  mosquitto_publish_v5_callback_set(client_, published);
  if (!settings_.username.empty()) {
    mosquitto_username_pw_set(client_, settings_.username.c_str(),
                              settings_.password.empty() ? nullptr : settings_.password.c_str());
  }
  if (!availability_topic_.empty()) {
    mosquitto_will_set_v5(client_, availability_topic_.c_str(), 7, "offline", 1, true, nullptr);
  }
  if (address_.tls) {
    // The broker's certificate must come from the room's CA and name the uri's host (the
    // provisioned one names localhost, 127.0.0.1 and the hosts given to provision-room).
    int rc = mosquitto_tls_set(client_, settings_.ca_file.c_str(), nullptr,
                               settings_.cert_file.empty() ? nullptr : settings_.cert_file.c_str(),
                               settings_.key_file.empty() ? nullptr : settings_.key_file.c_str(),
                               nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      tls_unusable_ = true;
      spdlog::error("mqtt: the TLS files ({}, {}, {}) cannot be used: {}; not connecting to {}",
                    settings_.ca_file,
                    settings_.cert_file.empty() ? "no client certificate" : settings_.cert_file,
                    settings_.key_file.empty() ? "no key" : settings_.key_file, error_text(rc),
                    settings_.uri);
    }
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "mqtt: eventfd");
}

MqttLink::~MqttLink() {
  alive_.reset();
  if (thread_.joinable()) {
    {
      std::lock_guard lock(outbound_mutex_);
      if (!stop_deadline_) stop_deadline_ = Clock::now();
    }
    wake();
    thread_.join();
  }
  mosquitto_destroy(client_);
  close(wake_fd_);
}

void MqttLink::start() {
  thread_ = std::thread([this] { run(); });
}

void MqttLink::stop(std::chrono::milliseconds timeout) {
  stopping_ = true;
  if (thread_.joinable()) {
    {
      std::lock_guard lock(outbound_mutex_);
      stop_deadline_ = Clock::now() + timeout;
    }
    wake();
    thread_.join();  // the thread keeps to the deadline
  }
  connected_ = false;
}

void MqttLink::subscribe(const std::string& filter) {
  {
    std::lock_guard lock(outbound_mutex_);
    outbound_.subscribe(filter);
  }
  wake();
}

void MqttLink::publish(const std::string& topic, const std::string& payload, bool retained) {
  enqueue({topic, payload, retained, {}, false});
}

void MqttLink::publish_reply(const std::string& topic, const std::string& payload,
                             const std::string& correlation_data, bool urgent) {
  enqueue({topic, payload, false, correlation_data, urgent});
}

void MqttLink::enqueue(OutboundQueue::Message message) {
  {
    std::lock_guard lock(outbound_mutex_);
    outbound_.publish(std::move(message));
  }
  wake();
}

void MqttLink::wake() {
  std::uint64_t one = 1;
  // Never blocks (EFD_NONBLOCK); a counter already at its maximum has woken the thread anyway.
  [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
}

void MqttLink::post(std::function<void()> fn) {
  asio::post(logic_, [alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

void MqttLink::run() {
  if (niceness_ != 0 && setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()),
                                    getpriority(PRIO_PROCESS, 0) + niceness_) != 0) {
    spdlog::warn("mqtt: could not change the priority of {}'s thread; it runs at the daemon's",
                 settings_.client_id);
  }
  while (true) {
    std::optional<Clock::time_point> deadline;
    {
      std::lock_guard lock(outbound_mutex_);
      deadline = stop_deadline_;
    }
    if (deadline) {
      finish(*deadline);
      return;
    }
    auto now = Clock::now();
    if (!socket_open_ && now >= next_attempt_) try_connect(now);
    send_outbound();
    auto timeout = kKeepaliveLook;
    if (!socket_open_) {
      timeout = std::chrono::ceil<std::chrono::milliseconds>(next_attempt_ - Clock::now());
    }
    wait_on_socket(std::max(timeout, 0ms));
    if (socket_open_) mosquitto_loop_misc(client_);  // PINGREQ when due; a silent broker is lost
    socket_open_ = mosquitto_socket(client_) >= 0;
  }
}

void MqttLink::try_connect(Clock::time_point now) {
  next_attempt_ = now + kRetryEvery;
  if (tls_unusable_) return;  // said at construction; a restart after fixing the files connects
  refused_ = false;
  // Non-blocking: the TCP connect, TLS handshake and CONNECT complete in the loop, and an
  // unreachable broker never holds this thread (a stop is answered meanwhile).
  auto keepalive = std::chrono::duration_cast<std::chrono::seconds>(settings_.keepalive);
  int rc = mosquitto_connect_bind_async(client_, address_.host.c_str(), address_.port,
                                        static_cast<int>(keepalive.count()), nullptr);
  socket_open_ = mosquitto_socket(client_) >= 0;
  if (rc != MOSQ_ERR_SUCCESS) connect_failed("connect failed (" + error_text(rc) + ")");
}

void MqttLink::connect_failed(const std::string& why) {
  if (why == last_failure_) return;
  spdlog::warn("mqtt: {} to {} as {}; retrying every second", why, settings_.uri,
               settings_.client_id);
  last_failure_ = why;
}

void MqttLink::wait_on_socket(std::chrono::milliseconds timeout) {
  int socket = mosquitto_socket(client_);
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {socket, POLLIN, 0}};
  if (socket >= 0 && mosquitto_want_write(client_)) fds[1].events |= POLLOUT;
  int ready = ::poll(fds, socket >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return;  // the time is up, or a signal
  if (fds[0].revents & POLLIN) {
    std::uint64_t count = 0;
    [[maybe_unused]] auto read = ::read(wake_fd_, &count, sizeof count);
  }
  if (socket < 0 || fds[1].revents == 0) return;
  // Read first, whichever way the socket is ready: it also takes the next step of a TLS
  // handshake (libmosquitto's write does not), and with nothing to read it returns at once.
  int rc = mosquitto_loop_read(client_, 1);
  if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(client_) >= 0 && mosquitto_want_write(client_)) {
    mosquitto_loop_write(client_, 1);
  }
  // An error closed the socket and told session_ended.
}

void MqttLink::send_outbound() {
  std::vector<OutboundQueue::Step> steps;
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(outbound_mutex_);
    if (!session_up_) {
      // Not connected: nothing is kept for later (the state is published again on connect).
      if (outbound_.has_work(kWindow)) outbound_.take(kWindow);
      outbound_.take_dropped();
      return;
    }
    if (!outbound_.has_work(kWindow - unacknowledged_)) return;
    steps = outbound_.take(kWindow - unacknowledged_);
    dropped = outbound_.take_dropped();
  }
  dropped_ += dropped;
  auto now = Clock::now();
  if (dropped_ > 0 && now - last_drop_warning_ >= 1s) {
    spdlog::warn(
        "mqtt: {} message(s) to publish dropped: the broker is not taking them fast enough",
        dropped_);
    last_drop_warning_ = now;
    dropped_ = 0;
  }
  for (const auto& step : steps) {
    if (const auto* subscription = std::get_if<OutboundQueue::Subscription>(&step)) {
      // Retain As Published (MQTT 5): a retained message keeps its flag when the broker passes
      // it on live, not only when it sends it on subscribe, so a retained command is known.
      int rc = mosquitto_subscribe_v5(client_, nullptr, subscription->filter.c_str(), 1,
                                      MQTT_SUB_OPT_RETAIN_AS_PUBLISHED, nullptr);
      if (rc != MOSQ_ERR_SUCCESS) {
        spdlog::warn("mqtt: subscribe to {} failed: {}", subscription->filter, error_text(rc));
      }
      continue;
    }
    send(std::get<OutboundQueue::Message>(step));
  }
}

void MqttLink::send(const OutboundQueue::Message& message) {
  mosquitto_property* properties = nullptr;
  if (!message.correlation_data.empty()) {
    mosquitto_property_add_binary(&properties, MQTT_PROP_CORRELATION_DATA,
                                  message.correlation_data.data(),
                                  static_cast<std::uint16_t>(message.correlation_data.size()));
  }
  int mid = 0;
  int rc = mosquitto_publish_v5(client_, &mid, message.topic.c_str(),
                                static_cast<int>(message.payload.size()), message.payload.data(), 1,
                                message.retained, properties);
  mosquitto_property_free_all(&properties);
  if (rc == MOSQ_ERR_SUCCESS) {
    ++unacknowledged_;
  } else {
    spdlog::debug("mqtt: publish to {} dropped: {}", message.topic, error_text(rc));
  }
}

void MqttLink::acknowledged(int mid) {
  if (unacknowledged_ > 0) --unacknowledged_;
  if (offline_mid_ && *offline_mid_ == mid) offline_mid_.reset();
}

void MqttLink::session_began(int reason_code) {
  if (reason_code != 0) {
    refused_ = true;
    connect_failed(std::string{"refused by the broker ("} + mosquitto_reason_string(reason_code) +
                   ")");
    return;  // the broker closes the connection; session_ended follows
  }
  session_up_ = true;
  last_failure_.clear();
  post([this] {
    if (stopping_) return;
    connected_ = true;
    spdlog::info("mqtt: connected to {} as {}", settings_.uri, settings_.client_id);
    if (on_connected_) on_connected_();
    // Last: `online` means the retained state published above is current (docs/mqtt-api.md).
    // The link's thread sends in order, so it follows that state.
    if (!availability_topic_.empty()) publish(availability_topic_, "online", true);
  });
}

void MqttLink::session_ended(int reason_code) {
  socket_open_ = false;
  next_attempt_ = Clock::now() + kRetryEvery;
  if (!session_up_) {
    // A connect that did not get as far as an accepted CONNACK (a refusal said why already).
    if (!refused_) connect_failed("connect failed (" + error_text(reason_code) + ")");
    return;
  }
  session_up_ = false;
  std::string cause = reason_code == MOSQ_ERR_SUCCESS ? "closed" : error_text(reason_code);
  if (reason_code >= 128) cause = mosquitto_reason_string(reason_code);  // a broker's DISCONNECT
  post([this, cause] {
    connected_ = false;
    spdlog::warn("mqtt: connection lost ({}); reconnecting", cause);
    if (on_disconnected_) on_disconnected_();
  });
}

void MqttLink::message_arrived(const mosquitto_message& message,
                               const mosquitto_property* properties) {
  InboundMessage in;
  in.topic = message.topic;
  in.payload_bytes = static_cast<std::size_t>(message.payloadlen);
  if (in.payload_bytes > kMaxInboundBytes) {
    // Not copied, never parsed: passed on without it, so that a command is refused (and
    // answered) as too large and anything else is dropped. Counted, and logged at a bound.
    ++oversize_;
    if (oversize_logs_.allow(Clock::now())) {
      spdlog::warn(
          "mqtt: a message of {} bytes on {} is over the {} byte ceiling; not kept ({} so far)",
          in.payload_bytes, in.topic, kMaxInboundBytes, oversize_);
    }
  } else if (message.payloadlen > 0) {
    in.payload.assign(static_cast<const char*>(message.payload), in.payload_bytes);
  }
  in.retained = message.retain;
  char* response_topic = nullptr;
  if (mosquitto_property_read_string(properties, MQTT_PROP_RESPONSE_TOPIC, &response_topic,
                                     false) != nullptr) {
    in.response_topic = response_topic;
    std::free(response_topic);
  }
  void* correlation = nullptr;
  std::uint16_t correlation_bytes = 0;
  if (mosquitto_property_read_binary(properties, MQTT_PROP_CORRELATION_DATA, &correlation,
                                     &correlation_bytes, false) != nullptr) {
    in.correlation_data.assign(static_cast<const char*>(correlation), correlation_bytes);
    std::free(correlation);
  }
  // Called here, on the link's thread: the handler queues it (bounded) for the logic thread, so
  // that a flood never becomes an unbounded queue of posted handlers in front of safety work.
  if (on_message_) on_message_(in);
}

void MqttLink::finish(Clock::time_point deadline) {
  // What was queued leaves first, then `offline`, each acknowledged by the broker, then the
  // DISCONNECT: the room's last events and replies are on the broker when the link is closed.
  bool offline_sent = availability_topic_.empty();
  while (session_up_ && Clock::now() < deadline) {
    send_outbound();
    bool queue_empty = false;
    {
      std::lock_guard lock(outbound_mutex_);
      queue_empty = !outbound_.has_work(kWindow);
    }
    if (queue_empty && !offline_sent) {
      int mid = 0;
      if (mosquitto_publish_v5(client_, &mid, availability_topic_.c_str(), 7, "offline", 1, true,
                               nullptr) == MOSQ_ERR_SUCCESS) {
        ++unacknowledged_;
        offline_mid_ = mid;
      }
      offline_sent = true;
    }
    if (queue_empty && offline_sent && unacknowledged_ == 0) break;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    wait_on_socket(std::clamp(left, 0ms, 100ms));
  }
  if (mosquitto_socket(client_) < 0) return;
  if (unacknowledged_ > 0) {
    spdlog::warn("mqtt: {} message(s) not acknowledged by the broker before the stop",
                 unacknowledged_);
  }
  mosquitto_disconnect(client_);  // written at once when the socket takes it
  while (mosquitto_socket(client_) >= 0 && mosquitto_want_write(client_) &&
         Clock::now() < deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    wait_on_socket(std::clamp(left, 0ms, 100ms));
  }
}

}  // namespace sensoryd
