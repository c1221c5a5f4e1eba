// The MQTT devices a simulated room has (zigbee2mqtt-style lights, an audio player, buttons):
// what each does with a command, what it reports back, and the control commands that make one
// go offline or press a button. No MQTT here: the caller publishes what `Outgoing` lists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "simulators/recorder.hpp"

namespace sensoryd::sim {

struct Outgoing {
  std::string topic;
  std::string payload;
  bool retained = false;
};

class MqttSimDevices {
 public:
  explicit MqttSimDevices(Recorder& recorder) : recorder_(recorder) {}

  void add_light(const std::string& topic);
  void add_player(const std::string& topic);
  void add_switch(const std::string& topic);

  // Topics to subscribe to (each device's <topic>/set).
  std::vector<std::string> subscriptions() const;
  // What every device says when the simulator (re)connects: availability, state.
  std::vector<Outgoing> announce() const;
  // A message on a subscribed topic: recorded, applied, and the state reported back.
  std::vector<Outgoing> received(const std::string& topic, const std::string& payload);
  // One control line (see docs/simulators.md): the answer, and what to publish.
  std::string control(const std::string& line, std::vector<Outgoing>& out);

 private:
  struct Device {
    std::string kind;  // light, player, switch
    bool online = true;
    std::string state_json = "{}";  // what it reports on its topic
    int ignore_next = 0;            // commands it will miss (fault injection: `ignore`)
  };
  Outgoing availability(const std::string& topic, const Device& device) const;

  Recorder& recorder_;
  std::map<std::string, Device> devices_;
};

}  // namespace sensoryd::sim
