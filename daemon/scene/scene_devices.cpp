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

config::Calibration sound_calibration(const config::Room& room, const config::Device& device) {
  if (const auto* modbus_sound = device.as<config::ModbusSound>()) {
    return calibration_of(room, modbus_sound->calibration);
  }
  if (const auto* mqtt_sound = device.as<config::MqttSound>()) {
    return calibration_of(room, mqtt_sound->calibration);
  }
  return config::Calibration{};
}

SceneDevices make_scene_devices(const config::Room& room, devices::RoomBuses& buses,
                                devices::MqttPort& mqtt) {
  SceneDevices made;
  int lost_after = room.limits.devices.lost_after_polls;
  for (const config::Device* device : room.devices_of(config::DeviceKind::light)) {
    if (const auto* modbus_light = device->as<config::ModbusLight>()) {
      auto light = std::make_unique<devices::ModbusLight>(
          device->id, *modbus_light, *buses.at(modbus_light->modbus.bus), lost_after);
      light->attach();
      made.lights.push_back(std::move(light));
    } else if (const auto* mqtt_light = device->as<config::MqttLight>()) {
      auto light = std::make_unique<devices::MqttLight>(device->id, *mqtt_light,
                                                        device->availability_topic, mqtt);
      made.mqtt_devices.push_back(light.get());
      made.lights.push_back(std::move(light));
    }
  }
  for (const config::Device* device : room.devices_of(config::DeviceKind::sound)) {
    if (const auto* modbus_sound = device->as<config::ModbusSound>()) {
      auto amplifier = std::make_unique<devices::ModbusAmplifier>(
          device->id, *modbus_sound, *buses.at(modbus_sound->modbus.bus), lost_after);
      amplifier->attach();
      made.players.push_back({std::move(amplifier), sound_calibration(room, *device)});
    } else if (const auto* mqtt_sound = device->as<config::MqttSound>()) {
      auto player = std::make_unique<devices::MqttPlayer>(device->id, *mqtt_sound,
                                                          device->availability_topic, mqtt);
      made.mqtt_devices.push_back(player.get());
      made.players.push_back({std::move(player), sound_calibration(room, *device)});
    }
  }
  for (const config::Device* device : room.devices_of(config::DeviceKind::input)) {
    const auto& config = *device->as<config::Input>();
    if (!config.mqtt()) continue;  // Modbus inputs belong to the safety supervisor
    made.mqtt_inputs.push_back(
        std::make_unique<devices::MqttInput>(device->id, config, device->availability_topic));
    made.mqtt_devices.push_back(made.mqtt_inputs.back().get());
  }
  return made;
}

}  // namespace sensoryd
