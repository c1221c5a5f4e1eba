// Builds a room's light, sound and MQTT input drivers from its configuration, on its Modbus
// buses or through its MQTT port. The MQTT ones are also listed by kind, for routing messages.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/scene/scene_guard.hpp"
#include "devices/mqtt_input.hpp"
#include "devices/mqtt_light.hpp"
#include "devices/mqtt_player.hpp"
#include "devices/transport/room_bus.hpp"

namespace sensoryd {

struct SceneDevices {
  std::vector<std::unique_ptr<devices::LightFixture>> lights;
  std::vector<SceneGuard::Player> players;
  std::vector<std::unique_ptr<devices::MqttInput>> mqtt_inputs;
  // Non-owning: every driver above that speaks MQTT (lights, players, inputs).
  std::vector<devices::MqttDevice*> mqtt_devices;
};

// The calibration table of a sound device (Modbus amplifier or MQTT player).
config::Calibration sound_calibration(const config::Room& room, const config::Device& device);

SceneDevices make_scene_devices(const config::Room& room, devices::RoomBuses& buses,
                                devices::MqttPort& mqtt);

}  // namespace sensoryd
