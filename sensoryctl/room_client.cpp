#include "sensoryctl/room_client.hpp"

#include <unistd.h>

#include <mqtt/async_client.h>

namespace sensoryd::ctl {

RoomClient::RoomClient(const std::string& broker, const std::string& room)
    : prefix_("sensoryd/" + room + "/"),
      client_id_("sensoryctl-" + std::to_string(getpid())),
      reply_topic_("sensoryctl/" + client_id_ + "/reply") {
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
  auto message = mqtt::make_message(prefix_ + "cmd/" + action, body, 1, false);
  mqtt::properties props;
  props.add(mqtt::property(mqtt::property::RESPONSE_TOPIC, reply_topic_));
  props.add(mqtt::property(mqtt::property::CORRELATION_DATA, correlation));
  message->set_properties(props);
  client_->publish(message)->wait();
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
  client_->subscribe(prefix_ + "#", 1)->wait();
  // The broker sends the retained messages on subscribing, before anything published later:
  // once a marker published after the subscription comes back, they have all arrived.
  std::string marker = client_id_ + "-marker";
  auto message = mqtt::make_message(reply_topic_, "", 1, false);
  mqtt::properties props;
  props.add(mqtt::property(mqtt::property::CORRELATION_DATA, marker));
  message->set_properties(props);
  client_->publish(message)->wait();
  std::unique_lock lock(mutex_);
  if (!arrived_.wait_for(lock, timeout, [&] { return replies_.count(marker) != 0; })) {
    return std::nullopt;
  }
  std::map<std::string, std::string> state;
  for (const auto& m : inbox_) {
    if (m.retained) state[m.topic] = m.payload;
  }
  inbox_.clear();
  return state;
}

void RoomClient::watch(const std::function<bool(const Message&)>& print,
                       const std::function<bool()>& stop) {
  client_->subscribe(prefix_ + "#", 1)->wait();
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
