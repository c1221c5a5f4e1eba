#include "config/loader.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "config/profile_loader.hpp"
#include "config/table_reader.hpp"

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

bool is_topic_safe_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

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

void read_room_table(TableReader& root, Room& room, std::filesystem::path& profiles_dir,
                     Diagnostics& diagnostics) {
  const toml::table* table = root.table("room", true);
  if (table == nullptr) return;
  TableReader reader(*table, "[room]", diagnostics);
  room.id = reader.string("id", true).value_or("");
  if (!room.id.empty() && !is_topic_safe_id(room.id)) {
    reader.error_at_key(
        "id", "room id \"" + room.id + "\" is used in MQTT topics: use only a-z, 0-9, '-' and '_'");
  }
  room.name = reader.string("name", false).value_or(room.id);
  profiles_dir = reader.string("profiles_dir", false).value_or("profiles");
  reader.finish();
}

void read_mqtt(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* table = root.table("mqtt", true);
  if (table == nullptr) return;
  TableReader reader(*table, "[mqtt]", diagnostics);
  room.mqtt.uri = reader.string("uri", true).value_or("");
  if (!room.mqtt.uri.empty() && room.mqtt.uri.rfind("tcp://", 0) != 0 &&
      room.mqtt.uri.rfind("mqtt://", 0) != 0) {
    reader.error_at_key("uri",
                        "MQTT uri \"" + room.mqtt.uri +
                            "\" must start with tcp:// or mqtt://, e.g. tcp://127.0.0.1:1883");
  }
  room.mqtt.client_id = reader.string("client_id", false).value_or("sensoryd-" + room.id);
  room.mqtt.keepalive = reader.duration("keepalive", false, 1s, 10min).value_or(10s);
  reader.finish();
}

void read_buses(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* buses = root.table("buses", false);
  if (buses == nullptr) return;
  for (const auto& [key, node] : *buses) {
    std::string where = "[buses." + std::string{key.str()} + "]";
    if (!node.is_table()) {
      root.error_at(node.source(), where + " must be a table");
      continue;
    }
    TableReader reader(*node.as_table(), where, diagnostics);
    ModbusTcpBus bus;
    bus.id = std::string{key.str()};
    if (auto type = reader.string("type", true); type && *type != "tcp") {
      reader.error_at_key("type", "bus type \"" + *type + "\" in " + where +
                                      " is not supported by this version: use \"tcp\"");
    }
    bus.host = reader.string("host", true).value_or("");
    bus.port = static_cast<int>(reader.integer("port", false, 1, 65535).value_or(502));
    bus.response_timeout = reader.duration("response_timeout", false, 10ms, 5s).value_or(250ms);
    reader.finish();
    room.buses.push_back(std::move(bus));
  }
}

void read_swing_registers(TableReader& reader, SwingRegisterMap& map, Diagnostics& diagnostics,
                          const std::string& where) {
  const toml::table* table = reader.table("registers", true);
  if (table == nullptr) return;
  TableReader regs(*table, "the registers of " + where, diagnostics);
  auto address = [&](std::string_view key, std::uint16_t& out) {
    if (auto value = regs.integer(key, true, 0, 65535)) out = static_cast<std::uint16_t>(*value);
  };
  address("control", map.control);
  address("mode", map.mode);
  address("amplitude", map.amplitude);
  address("period", map.period);
  address("comm_loss_timeout", map.comm_loss_timeout);
  address("comm_loss_action", map.comm_loss_action);
  address("heartbeat", map.heartbeat);
  address("status", map.status);
  address("angle", map.angle);
  address("measured_amplitude", map.measured_amplitude);
  address("fault_code", map.fault_code);
  regs.finish();
  std::set<std::uint16_t> holding{
      map.control,          map.mode,     map.amplitude, map.period, map.comm_loss_timeout,
      map.comm_loss_action, map.heartbeat};
  if (holding.size() != 7) {
    regs.error_at(table->source(), "two holding registers of " + where +
                                       " share an address: give each its own address");
  }
  // The input registers are polled in one request, and Modbus reads at most 125 registers.
  auto [low, high] = std::minmax({map.status, map.angle, map.measured_amplitude, map.fault_code});
  if (high - low >= 125) {
    regs.error_at(table->source(), "the input registers of " + where +
                                       " span more than 125 addresses: sensoryd reads them in one "
                                       "request; check the addresses");
  }
}

void read_devices(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* devices = root.table("devices", false);
  if (devices == nullptr) return;
  for (const auto& [key, node] : *devices) {
    std::string where = "[devices." + std::string{key.str()} + "]";
    if (!node.is_table()) {
      root.error_at(node.source(), where + " must be a table");
      continue;
    }
    TableReader reader(*node.as_table(), where, diagnostics);
    auto kind = reader.string("kind", true);
    if (kind && *kind != "swing_drive") {
      reader.error_at_key("kind", "device kind \"" + *kind + "\" in " + where +
                                      " is not supported by this version: use \"swing_drive\"");
      continue;
    }
    SwingDriveConfig swing;
    swing.id = std::string{key.str()};
    swing.bus = reader.string("bus", true).value_or("");
    if (!swing.bus.empty() &&
        std::none_of(room.buses.begin(), room.buses.end(),
                     [&](const ModbusTcpBus& b) { return b.id == swing.bus; })) {
      reader.error_at_key("bus", "bus \"" + swing.bus + "\" of " + where +
                                     " is not defined: add a [buses." + swing.bus +
                                     "] table or name an existing bus");
    }
    swing.unit = static_cast<int>(reader.integer("unit", false, 1, 247).value_or(1));
    // Stricter only: a longer comm-loss timeout lets a swing run on after sensoryd dies (S6).
    swing.comm_loss_timeout =
        reader.duration("comm_loss_timeout", false, 100ms, 500ms).value_or(500ms);
    swing.poll_period = reader.duration("poll_period", false, 10ms, 1s).value_or(50ms);
    read_swing_registers(reader, swing.registers, diagnostics, where);
    reader.finish();
    room.swings.push_back(std::move(swing));
  }
}

void read_limits(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* limits = root.table("limits", false);
  if (limits == nullptr) return;
  TableReader reader(*limits, "[limits]", diagnostics);
  if (const toml::table* swing = reader.table("swing", false)) {
    TableReader sr(*swing, "[limits.swing]", diagnostics);
    SwingLimits& l = room.swing_limits;
    // Each bound is the safety default: a room may only make it stricter.
    l.max_amplitude_deg = sr.number("max_amplitude_deg", false, 1.0, 30.0).value_or(30.0);
    l.min_period_s = sr.number("min_period_s", false, 2.0, 60.0).value_or(2.0);
    l.max_amplitude_rate_deg_s =
        sr.number("max_amplitude_rate_deg_s", false, 0.1, 10.0).value_or(3.0);
    l.max_period_rate_s_per_s =
        sr.number("max_period_rate_s_per_s", false, 0.05, 2.0).value_or(1.0);
    sr.finish();
  }
  reader.finish();
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
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto text = read_file(file);
    if (!text) {
      diagnostics.errors.push_back(
          file_error(file, "cannot read profile file: check its permissions"));
      continue;
    }
    auto profile = load_profile(*text, file, room.swing_limits, diagnostics);
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

}  // namespace

LoadResult load_room_from_string(std::string_view toml_text, const std::filesystem::path& name) {
  LoadResult result;
  Diagnostics& diagnostics = result.diagnostics;
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view{name.string()});
  } catch (const toml::parse_error& e) {
    diagnostics.errors.push_back(
        diagnostic_at(e.source(), "TOML syntax error: " + std::string{e.description()}));
    return result;
  }
  Room room;
  room.source = name;
  TableReader reader(root, name.filename().string(), diagnostics);
  std::filesystem::path profiles_dir;
  read_room_table(reader, room, profiles_dir, diagnostics);
  read_mqtt(reader, room, diagnostics);
  read_buses(reader, room, diagnostics);
  read_devices(reader, room, diagnostics);
  read_limits(reader, room, diagnostics);
  reader.finish();
  if (room.swings.size() > 1) {
    diagnostics.errors.push_back(diagnostic_at(
        root.source(), "the room has " + std::to_string(room.swings.size()) +
                           " swing drives; this version drives one: keep one [devices.<id>] "
                           "with kind = \"swing_drive\""));
  }
  if (room.swings.empty() && diagnostics.ok()) {
    diagnostics.errors.push_back(
        diagnostic_at(root.source(),
                      "the room has no swing drive: add a [devices.<id>] table with "
                      "kind = \"swing_drive\""));
  }
  // Profiles are checked against the limits, so only read them once the limits are known good.
  if (diagnostics.ok() && !profiles_dir.empty()) {
    const toml::node* room_table = root.get("room");
    const toml::node* dir_node = room_table ? room_table->as_table()->get("profiles_dir") : nullptr;
    load_profiles(name.parent_path() / profiles_dir, dir_node ? dir_node->source() : root.source(),
                  room, diagnostics);
  }
  if (diagnostics.ok()) result.room = std::move(room);
  return result;
}

LoadResult load_room(const std::filesystem::path& room_file) {
  auto text = read_file(room_file);
  if (!text) {
    LoadResult result;
    result.diagnostics.errors.push_back(file_error(
        room_file,
        "cannot read the room file: check the path given to --config and its permissions"));
    return result;
  }
  return load_room_from_string(*text, room_file);
}

}  // namespace sensoryd::config
