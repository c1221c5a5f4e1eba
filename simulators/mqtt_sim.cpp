// sensoryd-mqtt-sim: the room's MQTT equipment on a real broker: zigbee2mqtt-style lights, an
// audio player and buttons. Each records every command it receives, timestamped, as JSON lines,
// reports its state back as the real ones do, and takes faults and presses on a control port.
//   sensoryd-mqtt-sim --broker tcp://127.0.0.1:1883 [--light TOPIC]... [--player TOPIC]...
//                     [--switch TOPIC]... [--record FILE] [--control-port M]
//                     [--username U --password-file F] [--ca-file CA.pem]
// A secure room's broker (ssl://, docs/security.md) wants the equipment's account and the room's
// CA: the simulator signs in as the real bridge and player would.
#include <fcntl.h>
#include <sys/select.h>
#include <unistd.h>

#include <csignal>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <mqtt/async_client.h>

#include "simulators/control_port.hpp"
#include "simulators/mqtt_sim_devices.hpp"
#include "simulators/recorder.hpp"

namespace {

using sensoryd::sim::Outgoing;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int usage(const std::string& why) {
  std::cerr << "sensoryd-mqtt-sim: " << why << "\n"
            << "usage: sensoryd-mqtt-sim --broker URI [--light TOPIC]... [--player TOPIC]...\n"
            << "                         [--switch TOPIC]... [--record FILE] [--control-port M]\n"
            << "                         [--username U --password-file F] [--ca-file CA.pem]\n";
  return 64;
}

void publish(mqtt::async_client& client, const std::vector<Outgoing>& out) {
  for (const auto& message : out) {
    try {
      client.publish(mqtt::make_message(message.topic, message.payload, 1, message.retained));
    } catch (const mqtt::exception& e) {
      std::cerr << "sensoryd-mqtt-sim: publish to " << message.topic << " failed: " << e.what()
                << "\n";
    }
  }
}

// What Paho's thread hands to the loop: messages in arrival order and (re)connections.
class Inbox {
 public:
  Inbox() {
    if (pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Inbox() {
    if (fds_[0] >= 0) close(fds_[0]);
    if (fds_[1] >= 0) close(fds_[1]);
  }
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  bool ok() const { return fds_[0] >= 0; }
  int wake_fd() const { return fds_[0]; }

  void push(std::string topic, std::string payload) {
    {
      std::lock_guard lock(mutex_);
      messages_.emplace_back(std::move(topic), std::move(payload));
    }
    wake();
  }
  void push_connected() {
    {
      std::lock_guard lock(mutex_);
      connected_ = true;
    }
    wake();
  }

  struct Taken {
    bool connected = false;
    std::deque<std::pair<std::string, std::string>> messages;
  };
  Taken take() {
    char drain[64];
    while (read(fds_[0], drain, sizeof drain) > 0) {
    }
    Taken taken;
    std::lock_guard lock(mutex_);
    std::swap(taken.connected, connected_);
    taken.messages.swap(messages_);
    return taken;
  }

 private:
  // A full pipe already wakes the loop, so a failed write loses nothing.
  void wake() { (void)!write(fds_[1], "x", 1); }

  int fds_[2] = {-1, -1};
  std::mutex mutex_;
  bool connected_ = false;
  std::deque<std::pair<std::string, std::string>> messages_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string broker, record, username, password_file, ca_file;
  int control_port = 0;
  std::vector<std::string> lights, players, switches;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return usage(arg + " needs a value");
    std::string value = argv[++i];
    if (arg == "--broker")
      broker = value;
    else if (arg == "--record")
      record = value;
    else if (arg == "--control-port")
      control_port = std::stoi(value);
    else if (arg == "--light")
      lights.push_back(value);
    else if (arg == "--player")
      players.push_back(value);
    else if (arg == "--switch")
      switches.push_back(value);
    else if (arg == "--username")
      username = value;
    else if (arg == "--password-file")
      password_file = value;
    else if (arg == "--ca-file")
      ca_file = value;
    else
      return usage("unknown option " + arg);
  }
  if (broker.empty()) return usage("--broker is required");
  if (username.empty() != password_file.empty()) {
    return usage("--username and --password-file go together");
  }
  std::string password;
  if (!password_file.empty()) {
    std::ifstream in(password_file);
    if (!std::getline(in, password) || password.empty()) {
      return usage("cannot read a password from " + password_file);
    }
  }

  sensoryd::sim::Recorder recorder(record);
  if (!recorder.ok()) return usage("cannot write " + record);
  sensoryd::sim::MqttSimDevices devices(recorder);
  for (const auto& t : lights) devices.add_light(t);
  for (const auto& t : players) devices.add_player(t);
  for (const auto& t : switches) devices.add_switch(t);

  // The devices live on this thread (the loop below). Paho's callbacks only queue what arrived
  // and wake the loop through a pipe: a callback that published itself while the loop held the
  // devices could deadlock with Paho's own lock, which its thread holds through a callback.
  Inbox inbox;
  if (!inbox.ok()) return usage("cannot make a pipe");
  mqtt::async_client client(broker, "sensoryd-mqtt-sim-" + std::to_string(getpid()),
                            mqtt::create_options(MQTTVERSION_3_1_1));
  client.set_connected_handler([&](const std::string&) { inbox.push_connected(); });
  client.set_message_callback([&](mqtt::const_message_ptr message) {
    inbox.push(message->get_topic(), message->get_payload_str());
  });
  auto options = mqtt::connect_options_builder()
                     .clean_session(true)
                     .automatic_reconnect(std::chrono::milliseconds(100), std::chrono::seconds(2))
                     .connect_timeout(std::chrono::seconds(2))
                     .finalize();
  if (!username.empty()) {
    options.set_user_name(username);
    options.set_password(password);
  }
  if (!ca_file.empty())
    options.set_ssl(mqtt::ssl_options_builder().trust_store(ca_file).finalize());
  // The broker may still be starting: retry until it answers.
  while (g_stop == 0) {
    try {
      client.connect(options)->wait();
      break;
    } catch (const mqtt::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  std::unique_ptr<sensoryd::sim::ControlPort> control;
  if (control_port > 0) {
    control = std::make_unique<sensoryd::sim::ControlPort>(
        "127.0.0.1", control_port, [&](const std::string& line) {
          std::vector<Outgoing> out;
          std::string answer = devices.control(line, out);
          publish(client, out);
          return answer;
        });
    if (!control->ok()) return usage("control port: " + control->error());
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cerr << "sensoryd-mqtt-sim: " << lights.size() << " light(s), " << players.size()
            << " player(s), " << switches.size() << " switch(es) on " << broker << "\n";
  while (g_stop == 0) {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(inbox.wake_fd(), &readable);
    int max_fd = control ? control->add_to(readable, inbox.wake_fd()) : inbox.wake_fd();
    timeval timeout{0, 100'000};
    int ready = select(max_fd + 1, &readable, nullptr, nullptr, &timeout);
    if (ready > 0 && FD_ISSET(inbox.wake_fd(), &readable)) {
      Inbox::Taken taken = inbox.take();
      if (taken.connected) {
        for (const auto& topic : devices.subscriptions()) client.subscribe(topic, 1);
        publish(client, devices.announce());
      }
      for (const auto& [topic, payload] : taken.messages) {
        publish(client, devices.received(topic, payload));
      }
    }
    if (ready > 0 && control) control->serve(readable);
  }
  try {
    client.disconnect()->wait_for(std::chrono::seconds(1));
  } catch (const mqtt::exception&) {
  }
  return 0;
}
