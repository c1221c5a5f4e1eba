// sensoryctl's MQTT 5 client: commands with a Response Topic and Correlation Data of its own,
// the room's retained state, and everything the room publishes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace mqtt {
class async_client;
}

namespace sensoryd::ctl {

struct Message {
  std::string topic;  // after sensoryd/<room>/
  std::string payload;
  bool retained = false;
};

// How to sign in to a secure room's broker; empty fields add nothing.
struct Credentials {
  std::string username;  // also the user level of the command path
  std::string password;
  std::string ca_file;  // the room's CA, for ssl:// brokers
};

class RoomClient {
 public:
  RoomClient(const std::string& broker, const std::string& room, Credentials credentials = {});
  ~RoomClient();

  // Connects; false (with error()) when the broker cannot be reached in `timeout`.
  bool connect(std::chrono::milliseconds timeout);
  const std::string& error() const { return error_; }

  // None of these throw: on a failure they return nothing, and error() says what the broker
  // refused (empty when it only did not answer in time).
  // Sends the command and waits for its one reply (JSON text); nullopt after `timeout`.
  std::optional<std::string> request(const std::string& action, const std::string& body,
                                     std::chrono::milliseconds timeout);
  // The room's retained topics as the broker holds them now (topic suffix -> payload).
  std::optional<std::map<std::string, std::string>> retained_state(
      std::chrono::milliseconds timeout);
  // Calls `print` for each message under sensoryd/<room>/ until it returns false, `stop`
  // returns true, or the connection is lost.
  void watch(const std::function<bool(const Message&)>& print, const std::function<bool()>& stop);

 private:
  std::optional<Message> next_message(std::chrono::milliseconds timeout);

  std::string prefix_;
  Credentials credentials_;
  std::string client_id_;
  std::string reply_topic_;
  std::unique_ptr<mqtt::async_client> client_;
  std::string error_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<Message> inbox_;
  std::map<std::string, std::string> replies_;  // correlation data -> payload
  int next_correlation_ = 0;
};

}  // namespace sensoryd::ctl
