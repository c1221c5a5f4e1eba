#include "config/loader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <variant>

#include "config/broker_address.hpp"
#include "config/children_loader.hpp"
#include "config/device_loader.hpp"
#include "config/limits_loader.hpp"
#include "config/profile_loader.hpp"
#include "config/table_reader.hpp"
#include "config/units.hpp"

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Diagnostic file_error(const std::filesystem::path& path, std::string message) {
  return Diagnostic{path.string(), 1, 1, std::move(message)};
}

std::filesystem::path relative_to(const std::filesystem::path& room_file, const std::string& p) {
  std::filesystem::path path{p};
  return path.is_absolute() ? path : room_file.parent_path() / path;
}

void read_room_table(TableReader& root, Room& room, std::filesystem::path& profiles_dir,
                     Diagnostics& diagnostics) {
  const toml::table* table = root.table("room", Need::required);
  if (table == nullptr) return;
  TableReader reader(*table, "[room]", diagnostics);
  room.id = reader.string("id", Need::required).value_or("");
  if (!room.id.empty() && !is_plain_id(room.id)) {
    reader.error_at_key(
        "id", "room id \"" + room.id + "\" is used in MQTT topics: use only a-z, 0-9, '-' and '_'");
  }
  room.name = reader.string("name", Need::optional).value_or(room.id);
  profiles_dir =
      relative_to(room.source, reader.string("profiles_dir", Need::optional).value_or("profiles"));
  room.templates_dir = relative_to(
      room.source, reader.string("templates_dir", Need::optional).value_or("templates"));
  reader.finish();
}

void read_mqtt(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* table = root.table("mqtt", Need::required);
  if (table == nullptr) return;
  TableReader reader(*table, "[mqtt]", diagnostics);
  MqttSettings& mqtt = room.mqtt;
  mqtt.uri = reader.string("uri", Need::required).value_or("");
  if (!mqtt.uri.empty()) {
    auto address = parse_broker_uri(mqtt.uri);
    if (auto* why = std::get_if<std::string>(&address)) reader.error_at_key("uri", *why);
  }
  mqtt.client_id = reader.string("client_id", Need::optional).value_or("sensoryd-" + room.id);
  mqtt.keepalive = reader.duration("keepalive", Need::optional, 1s, 10min).value_or(10s);
  mqtt.username = reader.string("username", Need::optional).value_or("");
  mqtt.require_identity = reader.boolean("require_identity", Need::optional).value_or(false);
  // A password from `key` (a file of one line, relative to the room file), for `user`.
  auto password_from = [&](std::string_view key, const std::string& user,
                           std::string_view user_key) -> std::string {
    auto password_file = reader.string(key, Need::optional);
    if (!password_file) return {};
    if (user.empty()) {
      reader.error_at_key(key, std::string{key} + " is set without " + std::string{user_key} +
                                   ": add " + std::string{user_key} + " = \"...\"");
    }
    auto path = relative_to(room.source, *password_file);
    auto password = read_file(path);
    if (!password) {
      reader.error_at_key(key, "cannot read the MQTT password file " + path.string() +
                                   ": check the path and that sensoryd may read it");
      return {};
    }
    while (!password->empty() && (password->back() == '\n' || password->back() == '\r')) {
      password->pop_back();
    }
    return *password;
  };
  mqtt.password = password_from("password_file", mqtt.username, "username");
  mqtt.estop_username = reader.string("estop_username", Need::optional).value_or("");
  mqtt.estop_password = password_from("estop_password_file", mqtt.estop_username, "estop_username");
  if (!mqtt.estop_username.empty() && mqtt.estop_username == mqtt.username) {
    reader.error_at_key("estop_username",
                        "estop_username is the main username: give the E-stop connection an "
                        "account of its own (scripts/provision-room writes <username>-estop)");
  }
  if (const toml::table* tls = reader.table("tls", Need::optional)) {
    TableReader tr(*tls, "[mqtt.tls]", diagnostics);
    auto file = [&](std::string_view key, Need need) {
      auto value = tr.string(key, need);
      if (!value) return std::string{};
      auto path = relative_to(room.source, *value);
      if (!std::filesystem::is_regular_file(path)) {
        tr.error_at_key(key, "TLS file " + path.string() + " does not exist: check the path");
      }
      return path.string();
    };
    mqtt.ca_file = file("ca_file", Need::required);
    mqtt.cert_file = file("cert_file", Need::optional);
    mqtt.key_file = file("key_file", mqtt.cert_file.empty() ? Need::optional : Need::required);
    tr.finish();
    if (!mqtt.tls()) {
      reader.error_at_key("tls",
                          "[mqtt.tls] is set but the uri is not ssl:// or mqtts://: "
                          "change the uri's scheme");
    }
  }
  reader.finish();
}

// The profile files of a folder (*.toml), in name order.
std::vector<std::filesystem::path> profile_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void load_profiles(const std::filesystem::path& dir, const toml::source_region& dir_key, Room& room,
                   Diagnostics& diagnostics) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    diagnostics.errors.push_back(
        diagnostic_at(dir_key, "profiles directory " + dir.string() +
                                   " does not exist: create it or set room.profiles_dir"));
    return;
  }
  for (const auto& file : profile_files(dir)) {
    auto text = read_file(file);
    if (!text) {
      diagnostics.errors.push_back(
          file_error(file, "cannot read profile file: check its permissions"));
      continue;
    }
    auto profile = load_profile(*text, file, room, diagnostics);
    if (!profile) continue;
    if (room.profiles.count(profile->id) != 0) {
      diagnostics.errors.push_back(file_error(
          file, "profile id \"" + profile->id + "\" is also used by " +
                    room.profiles[profile->id].source.string() + ": give each profile its own id"));
      continue;
    }
    room.profiles.emplace(profile->id, std::move(*profile));
  }
}

// The saved version of an authored profile or a child's plan in force: the highest <n>.toml in
// its history, where daemon/authoring's ProfileStore keeps every version; 0 when it has none.
int saved_version(const std::filesystem::path& dir, const std::string& id) {
  int latest = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "history" / id, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() != ".toml" || name.empty() || name[0] < '0' || name[0] > '9') {
      continue;
    }
    latest = std::max(latest, std::atoi(name.c_str()));
  }
  return latest;
}

// Therapists' profiles: the same checks and messages as the room's, but each one that fails
// them is a warning and left out, never an error that would keep the room from starting.
void load_authored_profiles(const std::filesystem::path& dir, Room& room,
                            Diagnostics& diagnostics) {
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return;
  for (const auto& file : profile_files(dir)) {
    Diagnostics own;
    auto text = read_file(file);
    std::optional<Profile> profile;
    if (!text) {
      own.errors.push_back(file_error(file, "cannot read profile file: check its permissions"));
    } else {
      profile = load_profile(*text, file, room, own);
    }
    if (profile && room.profiles.count(profile->id) != 0) {
      own.errors.push_back(file_error(file, "profile id \"" + profile->id + "\" is also used by " +
                                                room.profiles[profile->id].source.string() +
                                                ": give each profile its own id"));
    }
    for (auto& warning : own.warnings) diagnostics.warnings.push_back(std::move(warning));
    if (!own.ok() || !profile) {
      for (auto& error : own.errors) {
        error.message = "authored profile left out: " + error.message;
        diagnostics.warnings.push_back(std::move(error));
      }
      continue;
    }
    profile->origin = ProfileOrigin::authored;
    profile->version = saved_version(dir, profile->id);
    room.profiles.emplace(profile->id, std::move(*profile));
  }
}

// Clinical leads' plans: each in force replaces the room file's entry for its child.
void load_child_plans(const std::filesystem::path& dir, Room& room, Diagnostics& diagnostics) {
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return;
  for (const auto& file : profile_files(dir)) {
    std::string id = file.stem().string();
    Diagnostics own;
    auto text = read_file(file);
    std::optional<Child> child;
    if (!text) {
      own.errors.push_back(file_error(file, "cannot read the plan: check its permissions"));
    } else if (!is_plain_id(id)) {
      own.errors.push_back(file_error(file, "a plan's file is named <child id>.toml"));
    } else {
      child = load_child_plan(*text, file, id, room, own);
    }
    for (auto& warning : own.warnings) diagnostics.warnings.push_back(std::move(warning));
    if (!own.ok() || !child) {
      for (auto& error : own.errors) {
        error.message = "child's plan left out: " + error.message;
        diagnostics.warnings.push_back(std::move(error));
      }
      continue;
    }
    for (const auto& profile : child->profiles) {
      if (room.profiles.count(profile) == 0) {
        diagnostics.warnings.push_back(file_error(
            file, "the plan of child " + id + " approves profile \"" + profile +
                      "\", which does not exist (deleted since?): that entry does nothing"));
      }
    }
    child->plan_version = saved_version(dir, id);
    room.children.insert_or_assign(id, std::move(*child));
  }
}

// Children may name the profiles they may use; those must exist (a plan's were checked above).
void check_child_profiles(const toml::table& root, Room& room, Diagnostics& diagnostics) {
  for (const auto& [id, child] : room.children) {
    if (child.plan_version > 0) continue;
    for (const auto& profile : child.profiles) {
      if (room.profiles.count(profile) != 0) continue;
      const toml::node* node = root.at_path("children." + id + ".profiles").node();
      diagnostics.errors.push_back(
          diagnostic_at(node ? node->source() : root.source(),
                        "child \"" + id + "\" may use profile \"" + profile +
                            "\", which does not exist: fix the id or add the profile"));
    }
  }
}

// S20: motion equipment needs a monitored E-stop, unless the room says why not.
void check_estop_present(const toml::table& root, const Room& room, Diagnostics& diagnostics) {
  auto swings = room.devices_of(DeviceKind::swing_drive);
  if (swings.empty() || !room.limits.devices.estop_required) return;
  for (const auto& device : room.devices) {
    const auto* input = device.as<Input>();
    if (input != nullptr && input->role == InputRole::estop && input->modbus()) return;
  }
  const toml::node* node = root.at_path("devices." + swings.front()->id).node();
  diagnostics.errors.push_back(diagnostic_at(
      node ? node->source() : root.source(),
      "the room has a swing drive (" + swings.front()->id +
          ") and no E-stop input (S20): add a device with kind = \"modbus_input\" and "
          "role = \"estop\" on the E-stop chain's status contact, or, only where the room truly "
          "has none, set [limits.devices] estop_required = false with estop_required_reason"));
}

void read_integrations(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* table = root.table("integrations", Need::optional);
  if (table == nullptr) return;
  TableReader integrations(*table, "[integrations]", diagnostics);
  const toml::table* ha_table = integrations.table("home_assistant", Need::optional);
  integrations.finish();
  if (ha_table == nullptr) return;
  TableReader reader(*ha_table, "[integrations.home_assistant]", diagnostics);
  HomeAssistant& ha = room.home_assistant;
  ha.enabled = reader.boolean("enabled", Need::optional).value_or(false);
  ha.discovery_prefix =
      reader.string("discovery_prefix", Need::optional).value_or(ha.discovery_prefix);
  const std::string& prefix = ha.discovery_prefix;
  if (prefix.empty() || prefix.find_first_of("+#") != std::string::npos || prefix.front() == '/' ||
      prefix.back() == '/') {
    reader.error_at_key("discovery_prefix",
                        "discovery_prefix \"" + prefix +
                            "\" must be a topic without wildcards or a leading or trailing '/', "
                            "as Home Assistant's MQTT integration has it (default homeassistant)");
  }
  ha.user = reader.string("user", Need::optional).value_or("");
  if (ha.user.find_first_of("/+#") != std::string::npos) {
    reader.error_at_key("user", "user \"" + ha.user +
                                    "\" becomes a topic level: the broker user name, without "
                                    "'/', '+' or '#'");
  }
  if (auto buttons = reader.string_list("buttons", Need::optional)) {
    const auto& known = home_assistant_button_actions();
    for (const auto& button : *buttons) {
      if (std::find(known.begin(), known.end(), button) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        reader.error_at_key("buttons", "no button for \"" + button + "\": choose from " + list +
                                           " (starting a session stays on the tablet)");
      }
    }
    ha.buttons = *buttons;
  }
  if (ha.enabled && ha.user.empty() && room.mqtt.require_identity) {
    reader.error_at_key("enabled",
                        "with [mqtt] require_identity = true, Home Assistant's buttons must "
                        "publish on its own user's path: set user = \"<the broker user Home "
                        "Assistant connects as>\"");
  }
  reader.finish();
}

}  // namespace

LoadResult load_room_from_string(std::string_view toml_text, const std::filesystem::path& name,
                                 const LoadOptions& options) {
  LoadResult result;
  Diagnostics& diagnostics = result.diagnostics;
  auto parsed = parse_toml(toml_text, name.string(), diagnostics);
  if (!parsed) return result;
  const toml::table& root = *parsed;
  Room room;
  room.source = name;
  TableReader reader(root, name.filename().string(), diagnostics);
  std::filesystem::path profiles_dir;
  read_room_table(reader, room, profiles_dir, diagnostics);
  read_mqtt(reader, room, diagnostics);
  read_limits(reader, room, diagnostics);
  read_buses(reader, room, diagnostics);
  read_calibrations(reader, room, diagnostics);
  read_devices(reader, room, diagnostics);
  read_safe_scene(reader, room, diagnostics);
  read_children(reader, room, diagnostics);
  read_integrations(reader, room, diagnostics);
  reader.finish();
  auto swings = room.devices_of(DeviceKind::swing_drive);
  if (swings.size() > 1) {
    diagnostics.errors.push_back(diagnostic_at(
        root.source(), "the room has " + std::to_string(swings.size()) +
                           " swing drives; this version drives one: keep one device with "
                           "kind = \"swing_drive\""));
  }
  check_estop_present(root, room, diagnostics);
  if (swings.empty() && diagnostics.ok()) {
    diagnostics.errors.push_back(
        diagnostic_at(root.source(),
                      "the room has no swing drive: add a [devices.<id>] table with "
                      "kind = \"swing_drive\""));
  }
  // Profiles are checked against the limits and devices, so read them once those are good.
  if (diagnostics.ok()) {
    const toml::node* dir_node = root.at_path("room.profiles_dir").node();
    load_profiles(profiles_dir, dir_node ? dir_node->source() : root.source(), room, diagnostics);
    load_authored_profiles(options.authored_profiles_dir, room, diagnostics);
    load_child_plans(options.plans_dir, room, diagnostics);
    check_child_profiles(root, room, diagnostics);
  }
  if (diagnostics.ok()) result.room = std::move(room);
  return result;
}

LoadResult load_room(const std::filesystem::path& room_file, const LoadOptions& options) {
  auto text = read_file(room_file);
  if (!text) {
    LoadResult result;
    result.diagnostics.errors.push_back(file_error(
        room_file,
        "cannot read the room file: check the path given to --config and its permissions"));
    return result;
  }
  return load_room_from_string(*text, room_file, options);
}

}  // namespace sensoryd::config
