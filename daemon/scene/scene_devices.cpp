#include "daemon/scene/scene_devices.hpp"

#include "devices/modbus_amplifier.hpp"
#include "devices/modbus_light.hpp"

namespace sensoryd {

namespace {

config::Calibration calibration_of(const config::Room& room, const std::string& id) {
  auto found = room.calibrations.find(id);
  // The loader refuses a sound device without a known calibration; this is belt and braces:
  // an unknown table maps every volume to silence, so nothing plays.
  return found != room.calibrations.end() ? found->second : config::Calibration{};
}

}  // namespace

SceneDevices make_scene_devices(const config::Room& room,
                                std::map<std::string, std::unique_ptr<devices::ModbusBus>>& buses,
                                devices::MqttPort& mqtt) {
  SceneDevices made;
  int lost_after = room.limits.devices.lost_after_polls;
  for (const config::Device* device : room.devices_of(config::DeviceKind::light)) {
    if (device->modbus_light) {
      auto light = std::make_unique<devices::ModbusLight>(
          device->id, *device->modbus_light, *buses.at(device->modbus_light->modbus.bus),
          lost_after);
      light->attach();
      made.lights.push_back(std::move(light));
    } else if (device->mqtt_light) {
      auto light = std::make_unique<devices::MqttLight>(device->id, *device->mqtt_light,
                                                        device->availability_topic, mqtt);
      made.mqtt_lights.push_back(light.get());
      made.lights.push_back(std::move(light));
    }
  }
  for (const config::Device* device : room.devices_of(config::DeviceKind::sound)) {
    if (device->modbus_sound) {
      auto amplifier = std::make_unique<devices::ModbusAmplifier>(
          device->id, *device->modbus_sound, *buses.at(device->modbus_sound->modbus.bus),
          lost_after);
      amplifier->attach();
      made.players.push_back(
          {std::move(amplifier), calibration_of(room, device->modbus_sound->calibration)});
    } else if (device->mqtt_sound) {
      auto player = std::make_unique<devices::MqttPlayer>(device->id, *device->mqtt_sound,
                                                          device->availability_topic, mqtt);
      made.mqtt_players.push_back(player.get());
      made.players.push_back(
          {std::move(player), calibration_of(room, device->mqtt_sound->calibration)});
    }
  }
  for (const config::Device* device : room.devices_of(config::DeviceKind::input)) {
    if (!device->input->mqtt) continue;  // Modbus inputs belong to the safety supervisor
    made.mqtt_inputs.push_back(std::make_unique<devices::MqttInput>(device->id, *device->input,
                                                                    device->availability_topic));
  }
  return made;
}

}  // namespace sensoryd
