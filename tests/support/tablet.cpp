#include "tests/support/tablet.hpp"

#include <stdexcept>

#include <mqtt/async_client.h>

#include "tests/support/wait.hpp"

namespace sensoryd::test {

using namespace std::chrono_literals;

Tablet::Tablet(int broker_port, std::string room, Reads reads) : prefix_("sensoryd/" + room + "/") {
  static int counter = 0;
  client_ = std::make_unique<mqtt::async_client>(
      "tcp://127.0.0.1:" + std::to_string(broker_port),
      "test-tablet-" + std::to_string(getpid()) + "-" + std::to_string(++counter),
      mqtt::create_options(MQTTVERSION_5));
  client_->set_message_callback([this](mqtt::const_message_ptr msg) {
    SeenMessage seen{msg->get_topic(),
                     msg->get_payload_str(),
                     msg->is_retained(),
                     {},
                     std::chrono::steady_clock::now()};
    const auto& props = msg->get_properties();
    if (props.contains(mqtt::property::CORRELATION_DATA)) {
      seen.correlation_data = mqtt::get<std::string>(props, mqtt::property::CORRELATION_DATA);
    }
    std::lock_guard lock(mutex_);
    seen_.push_back(std::move(seen));
  });
  auto options = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(true)
                     .connect_timeout(5s)
                     .finalize();
  client_->connect(options)->wait();
  if (reads == Reads::everything) {
    subscribe(prefix_ + "#");
  } else {
    // The room's state, events and replies, as the tablet page reads them (tablet/app.js):
    // never another client's commands.
    for (const char* filter : {"+", "devices/+", "session/series", "reply/+"}) {
      subscribe(prefix_ + filter);
    }
  }
}

Tablet::~Tablet() {
  try {
    client_->disable_callbacks();
    client_->disconnect()->wait_for(2s);
  } catch (const mqtt::exception&) {
  }
}

void Tablet::subscribe(const std::string& filter) {
  client_->subscribe(filter, 1)->wait();
}

void Tablet::publish(const std::string& topic, const std::string& payload, bool retained) {
  client_->publish(mqtt::make_message(topic, payload, 1, retained))->wait();
}

void Tablet::publish_burst(const std::string& topic, const std::vector<std::string>& payloads,
                           const std::function<void(std::size_t)>& sent) {
  mqtt::delivery_token_ptr last;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto message = mqtt::make_message(topic, payloads[i], 0, false);
    try {
      last = client_->publish(message);
    } catch (const mqtt::exception& e) {
      // Paho holds at most 100 unsent: as fast as it can send, then.
      if (e.get_return_code() != MQTTASYNC_MAX_BUFFERED_MESSAGES || !last) throw;
      last->wait();
      last = client_->publish(message);
    }
    if (sent) sent(i);
  }
  if (last) last->wait();
}

void Tablet::publish_with_response_topic(const std::string& topic, const std::string& payload,
                                         const std::string& response_topic,
                                         const std::string& correlation) {
  auto message = mqtt::make_message(topic, payload, 1, false);
  mqtt::properties props;
  props.add(mqtt::property(mqtt::property::RESPONSE_TOPIC, response_topic));
  props.add(mqtt::property(mqtt::property::CORRELATION_DATA, correlation));
  message->set_properties(props);
  client_->publish(message)->wait();
}

nlohmann::json Tablet::reply_to(const std::string& action, nlohmann::json body,
                                std::chrono::milliseconds timeout) {
  auto reply = command(action, std::move(body), timeout);
  if (!reply) throw std::runtime_error("no reply to '" + action + "' within the timeout");
  return *reply;
}

std::optional<nlohmann::json> Tablet::command(const std::string& action, nlohmann::json body,
                                              std::chrono::milliseconds timeout) {
  if (!body.contains("request_id")) body["request_id"] = "req-" + std::to_string(++next_request_);
  std::string request_id = body["request_id"].get<std::string>();
  std::size_t from = 0;  // the reply comes after the command: what came before is not looked at
  {
    std::lock_guard lock(mutex_);
    from = seen_.size();
  }
  publish(prefix_ + "cmd/" + action, body.dump(), false);
  auto reply = wait_for(
      [&](const SeenMessage& m) {
        if (m.topic != prefix_ + "reply") return false;
        auto j = nlohmann::json::parse(m.payload, nullptr, false);
        return j.is_object() && j.value("request_id", "") == request_id;
      },
      timeout, from);
  if (!reply) return std::nullopt;
  return nlohmann::json::parse(reply->payload);
}

std::optional<std::string> Tablet::latest(const std::string& suffix) {
  std::lock_guard lock(mutex_);
  for (auto it = seen_.rbegin(); it != seen_.rend(); ++it) {
    if (it->topic == prefix_ + suffix) return it->payload;
  }
  return std::nullopt;
}

std::optional<nlohmann::json> Tablet::latest_json(const std::string& suffix) {
  auto text = latest(suffix);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::optional<SeenMessage> Tablet::wait_for(std::function<bool(const SeenMessage&)> match,
                                            std::chrono::milliseconds timeout, std::size_t from) {
  std::optional<SeenMessage> found;
  std::size_t scanned = from;  // each message is matched once: a flood stays cheap to wait through
  wait_until(
      [&] {
        std::lock_guard lock(mutex_);
        for (; scanned < seen_.size(); ++scanned) {
          if (match(seen_[scanned])) {
            found = seen_[scanned];
            return true;
          }
        }
        return false;
      },
      timeout);
  return found;
}

bool Tablet::wait_for_session_state(const std::string& state, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto session = latest_json("session");
        return session && session->value("state", "") == state;
      },
      timeout);
}

bool Tablet::wait_for_motion_allowed(std::chrono::milliseconds timeout, std::size_t from) {
  auto allowed = wait_for(
      [this](const SeenMessage& m) {
        if (m.topic != prefix_ + "safety") return false;
        auto safety = nlohmann::json::parse(m.payload, nullptr, false);
        return safety.is_object() && safety.value("motion_allowed", false);
      },
      timeout, from);
  return allowed.has_value();
}

std::vector<SeenMessage> Tablet::messages() {
  std::lock_guard lock(mutex_);
  return seen_;
}

}  // namespace sensoryd::test
