#include "sensoryctl/room_client.hpp"

#include <unistd.h>

#include <mqtt/async_client.h>

namespace sensoryd::ctl {

RoomClient::RoomClient(const std::string& broker, const std::string& room, Credentials credentials)
    : prefix_("sensoryd/" + room + "/"),
      credentials_(std::move(credentials)),
      client_id_("sensoryctl-" + std::to_string(getpid())),
      // Under the room's topics, where a secure room's ACL lets sensoryd answer (docs/security.md).
      reply_topic_(prefix_ + "reply/" + client_id_) {
  client_ =
      std::make_unique<mqtt::async_client>(broker, client_id_, mqtt::create_options(MQTTVERSION_5));
  client_->set_message_callback([this](mqtt::const_message_ptr msg) {
    std::lock_guard lock(mutex_);
    const std::string& topic = msg->get_topic();
    if (topic == reply_topic_) {
      std::string correlation;
      const auto& props = msg->get_properties();
      if (props.contains(mqtt::property::CORRELATION_DATA)) {
        correlation = mqtt::get<std::string>(props, mqtt::property::CORRELATION_DATA);
      }
      replies_[correlation] = msg->get_payload_str();
    } else if (topic.rfind(prefix_, 0) == 0) {
      inbox_.push_back(
          Message{topic.substr(prefix_.size()), msg->get_payload_str(), msg->is_retained()});
    }
    arrived_.notify_all();
  });
}

RoomClient::~RoomClient() {
  try {
    client_->disable_callbacks();
    if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
  }
}

bool RoomClient::connect(std::chrono::milliseconds timeout) {
  auto options = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(true)
                     .connect_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout) +
                                      std::chrono::seconds(1))
                     .finalize();
  if (!credentials_.username.empty()) {
    options.set_user_name(credentials_.username);
    options.set_password(credentials_.password);
  }
  if (!credentials_.ca_file.empty()) {
    options.set_ssl(mqtt::ssl_options_builder().trust_store(credentials_.ca_file).finalize());
  }
  try {
    if (!client_->connect(options)->wait_for(timeout)) {
      error_ = "no answer from the broker in time";
      return false;
    }
    client_->subscribe(reply_topic_, 1)->wait();
  } catch (const mqtt::exception& e) {
    error_ = e.what();
    return false;
  }
  return true;
}

std::optional<std::string> RoomClient::request(const std::string& action, const std::string& body,
                                               std::chrono::milliseconds timeout) {
  std::string correlation = client_id_ + "-" + std::to_string(++next_correlation_);
  // Signed in, on the user's own path: the broker's ACL lets only this user publish there.
  std::string path =
      credentials_.username.empty() ? "cmd/" : "user/" + credentials_.username + "/cmd/";
  auto message = mqtt::make_message(prefix_ + path + action, body, 1, false);
  mqtt::properties props;
  props.add(mqtt::property(mqtt::property::RESPONSE_TOPIC, reply_topic_));
  props.add(mqtt::property(mqtt::property::CORRELATION_DATA, correlation));
  message->set_properties(props);
  try {
    client_->publish(message)->wait();
  } catch (const mqtt::exception& e) {
    error_ = "the broker did not take the command (" + std::string(e.what()) + ")";
    return std::nullopt;
  }
  std::unique_lock lock(mutex_);
  if (!arrived_.wait_for(lock, timeout, [&] { return replies_.count(correlation) != 0; })) {
    return std::nullopt;
  }
  return replies_[correlation];
}

std::optional<Message> RoomClient::next_message(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!arrived_.wait_for(lock, timeout, [&] { return !inbox_.empty(); })) return std::nullopt;
  Message m = std::move(inbox_.front());
  inbox_.pop_front();
  return m;
}

std::optional<std::map<std::string, std::string>> RoomClient::retained_state(
    std::chrono::milliseconds timeout) {
  // QoS 0: the broker sends them at once, never held back by its in-flight window.
  try {
    client_->subscribe(prefix_ + "#", 0)->wait();
  } catch (const mqtt::exception& e) {
    error_ = "the broker refused to show the room (" + std::string(e.what()) + ")";
    return std::nullopt;
  }
  // The broker sends a subscription's retained messages before it handles the next packet:
  // once the answer to a second subscription is back, they have all arrived. (That one
  // renews the reply topic's, which holds nothing retained; a secure room lets a tablet
  // publish nowhere it could read back, so no marker message is sent.)
  try {
    if (!client_->subscribe(reply_topic_, 1)->wait_for(timeout)) return std::nullopt;
  } catch (const mqtt::exception& e) {
    error_ = e.what();
    return std::nullopt;
  }
  std::unique_lock lock(mutex_);
  std::map<std::string, std::string> state;
  for (const auto& m : inbox_) {
    if (m.retained) state[m.topic] = m.payload;
  }
  inbox_.clear();
  return state;
}

void RoomClient::watch(const std::function<bool(const Message&)>& print,
                       const std::function<bool()>& stop) {
  try {
    client_->subscribe(prefix_ + "#", 1)->wait();
  } catch (const mqtt::exception& e) {
    error_ = "the broker refused to show the room (" + std::string(e.what()) + ")";
    return;
  }
  while (!stop()) {
    auto message = next_message(std::chrono::milliseconds(500));
    if (!message) {
      if (!client_->is_connected()) return;
      continue;
    }
    if (!print(*message)) return;
  }
}

}  // namespace sensoryd::ctl
