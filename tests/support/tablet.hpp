// A tablet for end-to-end tests: a real MQTT 5 client that sees everything under
// sensoryd/<room>/ and sends commands the way a therapist's tablet does.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mqtt {
class async_client;
}

namespace sensoryd::test {

struct SeenMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
  std::string correlation_data;
  std::chrono::steady_clock::time_point at;
};

class Tablet {
 public:
  // What it subscribes to: everything under sensoryd/<room>/ (the commands others send too:
  // tests that check what reached the broker), or what the tablet page reads (the bench: a
  // flood of commands is not also delivered to the tablets measuring it, as in a room).
  enum class Reads { everything, what_the_page_reads };

  Tablet(int broker_port, std::string room, Reads reads = Reads::everything);
  ~Tablet();

  // Publishes `sensoryd/<room>/cmd/<action>`; returns the reply with this request id, or
  // nullopt when none came within `timeout`.
  // The reply to a command, or an exception (a clean test failure) when none comes in time.
  nlohmann::json reply_to(const std::string& action, nlohmann::json body,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
  std::optional<nlohmann::json> command(
      const std::string& action, nlohmann::json body,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void publish(const std::string& topic, const std::string& payload, bool retained);
  void publish_with_response_topic(const std::string& topic, const std::string& payload,
                                   const std::string& response_topic,
                                   const std::string& correlation);
  void subscribe(const std::string& filter);
  // A flood, as a misbehaving client sends one: QoS 0, no waiting between messages. Calls
  // `sent(i)` after handing message i to the client; returns once all are on their way.
  void publish_burst(const std::string& topic, const std::vector<std::string>& payloads,
                     const std::function<void(std::size_t)>& sent = {});

  // The latest message on `topic` (suffix after sensoryd/<room>/) as JSON, if any.
  std::optional<nlohmann::json> latest_json(const std::string& suffix);
  std::optional<std::string> latest(const std::string& suffix);
  // Waits until a message satisfying `match` has been seen, from the `from`th message on (say,
  // messages().size() before a restart: only what came after it).
  std::optional<SeenMessage> wait_for(std::function<bool(const SeenMessage&)> match,
                                      std::chrono::milliseconds timeout, std::size_t from = 0);
  // Waits until the latest session state is `state`.
  bool wait_for_session_state(const std::string& state, std::chrono::milliseconds timeout);
  // Waits until a `safety` message from the `from`th message on allows motion: when a tablet
  // offers a start, e.g. once a restarted room has read its drive again.
  bool wait_for_motion_allowed(std::chrono::milliseconds timeout, std::size_t from = 0);
  std::vector<SeenMessage> messages();

 private:
  std::string prefix_;
  std::unique_ptr<mqtt::async_client> client_;
  std::mutex mutex_;
  std::vector<SeenMessage> seen_;
  int next_request_ = 0;
};

}  // namespace sensoryd::test
