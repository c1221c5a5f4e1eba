// The validated room model: what the rest of sensoryd reads. Built only by the loader.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/children_model.hpp"
#include "config/device_model.hpp"
#include "config/integrations_model.hpp"
#include "config/limits_model.hpp"
#include "config/profile_model.hpp"

namespace sensoryd::config {

struct MqttSettings {
  std::string uri;        // tcp://, mqtt://, ssl:// or mqtts://
  std::string client_id;  // unique per room controller
  std::string username;
  std::string password;  // read from password_file at load; never logged or published
  // The E-stop link's own account: a broker that binds client ids to accounts
  // (use_username_as_clientid) lets each account hold one connection. Empty: the main one's.
  std::string estop_username;
  std::string estop_password;  // read from estop_password_file
  std::string ca_file;         // TLS
  std::string cert_file;
  std::string key_file;
  Millis keepalive{10'000};
  // Commands only on sensoryd/<room>/user/<username>/cmd/<action>, where the broker's ACL lets
  // only that authenticated user publish; the user is the therapist of record.
  bool require_identity = false;

  bool tls() const { return uri.rfind("ssl://", 0) == 0 || uri.rfind("mqtts://", 0) == 0; }
  bool operator==(const MqttSettings&) const = default;
};

struct Room {
  std::filesystem::path source;
  std::filesystem::path templates_dir;  // device templates as files: <dir>/<id>.toml
  std::string id;
  std::string name;
  MqttSettings mqtt;
  std::vector<ModbusBus> buses;
  std::vector<Device> devices;  // in file order
  std::map<std::string, Calibration> calibrations;
  SafeScene safe_scene;
  Limits limits;
  std::map<std::string, Child> children;
  std::map<std::string, Profile> profiles;
  HomeAssistant home_assistant;  // [integrations.home_assistant]

  const Device* find_device(const std::string& device_id) const {
    for (const auto& d : devices) {
      if (d.id == device_id) return &d;
    }
    return nullptr;
  }
  std::vector<const Device*> devices_of(DeviceKind kind) const {
    std::vector<const Device*> out;
    for (const auto& d : devices) {
      if (d.kind() == kind) out.push_back(&d);
    }
    return out;
  }
  const ModbusBus* find_bus(const std::string& bus_id) const {
    for (const auto& b : buses) {
      if (b.id == bus_id) return &b;
    }
    return nullptr;
  }
  const Profile* find_profile(const std::string& profile_id) const {
    auto it = profiles.find(profile_id);
    return it == profiles.end() ? nullptr : &it->second;
  }
  const Child* find_child(const std::string& child_id) const {
    auto it = children.find(child_id);
    return it == children.end() ? nullptr : &it->second;
  }
};

}  // namespace sensoryd::config
