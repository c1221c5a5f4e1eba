#include "config/device_loader.hpp"

#include "config/drive_reader.hpp"
#include "config/register_reader.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

const ModbusBus* find_bus(const Room& room, const std::string& id) {
  for (const auto& bus : room.buses) {
    if (bus.id == id) return &bus;
  }
  return nullptr;
}

bool valid_topic(const std::string& topic) {
  return !topic.empty() && topic.find_first_of("#+") == std::string::npos && topic.front() != '/' &&
         topic.back() != '/';
}

std::optional<std::uint16_t> address(TableReader& reader, std::string_view key) {
  auto value = reader.integer(key, Need::required, 0, 65535);
  if (!value) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

std::optional<ModbusBinding> read_binding(TableReader& reader, const Room& room,
                                          Millis default_poll, bool bus_default = true) {
  ModbusBinding binding;
  binding.bus = reader.string("bus", Need::required).value_or("");
  binding.unit = static_cast<int>(reader.integer("unit", Need::optional, 1, 247).value_or(1));
  const ModbusBus* bus = binding.bus.empty() ? nullptr : find_bus(room, binding.bus);
  if (bus_default && bus != nullptr && bus->poll_period) default_poll = *bus->poll_period;
  binding.poll_period =
      reader.duration("poll_period", Need::optional, 5ms, 10s).value_or(default_poll);
  binding.response_timeout = reader.duration("response_timeout", Need::optional, 10ms, 5s);
  auto bit_write = reader.choice("bit_write", Need::optional, {"read_modify_write", "mask_write"});
  binding.mask_write = bit_write == "mask_write";
  if (binding.bus.empty()) return std::nullopt;
  if (bus == nullptr) {
    reader.error_at_key("bus", "bus \"" + binding.bus + "\" of " + reader.where() +
                                   " is not defined: add a [buses." + binding.bus +
                                   "] table or name an existing bus");
    return std::nullopt;
  }
  return binding;
}

// A map of output registers (a light's channels, an amplifier's registers): every key given,
// in its short or long form.
RegisterMap read_output_map(TableReader& reader, std::string_view key,
                            std::span<const RegisterKey> keys) {
  const toml::table* table = reader.table(key, Need::required);
  if (table == nullptr) return {};
  TableReader regs(*table, "the " + std::string{key} + " of " + reader.where(),
                   reader.diagnostics());
  RegisterMap map = read_register_map(regs, *table, keys);
  for (const auto& known : keys) {
    if (!map.has(known.key) && !table->contains(known.key)) {
      regs.error_at(table->source(), "missing '" + std::string{known.key} + "' in " + regs.where() +
                                         ": add " + std::string{known.key} + " = <address>");
    }
  }
  check_overlaps(regs, map, keys);
  regs.finish();
  return map;
}

std::string calibration_ref(TableReader& reader, const Room& room) {
  auto id = reader.string("calibration", Need::required).value_or("");
  if (!id.empty() && room.calibrations.count(id) == 0) {
    reader.error_at_key("calibration", "calibration \"" + id + "\" of " + reader.where() +
                                           " is not defined: add a [calibrations." + id +
                                           "] table with the player's volume-to-dBA points");
  }
  return id;
}

// An input's contact: `address`, `register` (discrete_input, coil, input_register or
// holding_register) and, in a register, `bit`.
RegisterSpec read_contact(TableReader& reader) {
  RegisterSpec contact = default_contact();
  contact.address = address(reader, "address").value_or(0);
  auto reg = reader
                 .choice("register", Need::optional,
                         {"discrete_input", "coil", "input_register", "holding_register"})
                 .value_or("discrete_input");
  contact.table = reg == "coil"               ? RegisterTable::coil
                  : reg == "input_register"   ? RegisterTable::input
                  : reg == "holding_register" ? RegisterTable::holding
                                              : RegisterTable::discrete;
  auto bit = reader.integer("bit", Need::optional, 0, 15);
  bool one_bit = contact.table == RegisterTable::discrete || contact.table == RegisterTable::coil;
  if (bit && one_bit) {
    reader.error_at_key("bit", "bit of " + reader.where() + " picks a bit of a register: a " + reg +
                                   " is one bit already; remove bit, or set register = "
                                   "\"input_register\"");
  }
  if (!one_bit) contact = status_bit(contact, static_cast<int>(bit.value_or(0)));
  return contact;
}

InputRole read_role(TableReader& reader) {
  auto role = reader.choice("role", Need::required, {"estop", "door", "occupancy", "child_switch"});
  if (role == "estop") return InputRole::estop;
  if (role == "door") return InputRole::door;
  if (role == "occupancy") return InputRole::occupancy;
  return InputRole::child_switch;
}

void read_device(TableReader& reader, Device& device, const Room& room) {
  auto type = reader.choice("kind", Need::required,
                            {"swing_drive", "mqtt_light", "modbus_light", "mqtt_sound",
                             "modbus_sound", "modbus_input", "mqtt_input"});
  if (!type) return;
  device.type = *type;
  auto mqtt_topic = [&](std::string_view key) {
    auto topic = reader.string(key, Need::required).value_or("");
    if (!topic.empty() && !valid_topic(topic)) {
      reader.error_at_key(key, "topic \"" + topic + "\" of " + reader.where() +
                                   " must be a plain topic: no '#', '+' or leading/trailing '/'");
    }
    return topic;
  };
  if (*type == "swing_drive") {
    SwingDrive swing;
    if (auto binding = read_binding(reader, room, 50ms)) swing.modbus = *binding;
    read_swing_drive(reader, swing, room);
    device.equipment = swing;
  } else if (*type == "mqtt_light") {
    MqttLight light;
    light.topic = mqtt_topic("topic");
    light.color = reader.boolean("color", Need::optional).value_or(true);
    device.equipment = light;
  } else if (*type == "modbus_light") {
    ModbusLight light;
    if (auto binding = read_binding(reader, room, 200ms)) light.modbus = *binding;
    light.channels = read_output_map(reader, "channels", light_keys());
    device.equipment = light;
  } else if (*type == "mqtt_sound") {
    MqttSound sound;
    sound.topic = mqtt_topic("topic");
    sound.calibration = calibration_ref(reader, room);
    device.equipment = sound;
  } else if (*type == "modbus_sound") {
    ModbusSound sound;
    if (auto binding = read_binding(reader, room, 200ms)) sound.modbus = *binding;
    sound.registers = read_output_map(reader, "registers", sound_keys());
    sound.calibration = calibration_ref(reader, room);
    device.equipment = sound;
  } else {
    Input input;
    input.role = read_role(reader);
    input.active_low = reader.boolean("active_low", Need::optional).value_or(false);
    input.debounce = reader.duration("debounce", Need::optional, 0ms, 1s).value_or(20ms);
    bool safety = input.role == InputRole::estop || input.role == InputRole::door;
    if (*type == "modbus_input") {
      ModbusInput in;
      Millis fastest = room.limits.devices.safety_input_poll;
      // A safety input keeps the safety poll period unless it sets a faster one itself.
      if (auto binding = read_binding(reader, room, safety ? fastest : 50ms, !safety)) {
        in.modbus = *binding;
        if (safety && binding->poll_period > fastest) {
          reader.error_at_key("poll_period",
                              "a safety input (" + std::string{reader.where()} +
                                  ") must be polled every " + std::to_string(fastest.count()) +
                                  " ms or faster (limits.devices.safety_input_poll): shorten "
                                  "poll_period");
        }
      }
      in.contact = read_contact(reader);
      input.source = in;
    } else {
      if (safety) {
        reader.error_at_key("role", std::string("an ") + to_string(input.role) +
                                        " input is a safety input and must be wired to a "
                                        "Modbus I/O module (kind = \"modbus_input\"): MQTT "
                                        "cannot guarantee the 20 ms poll of a safety input");
      }
      MqttInput in;
      in.topic = mqtt_topic("topic");
      in.field = reader.string("field", Need::optional).value_or("");
      in.active_value = reader.string("active_value", Need::optional).value_or("true");
      input.source = in;
    }
    device.equipment = input;
  }
  if (device.kind() == DeviceKind::light) {
    device.groups =
        reader.string_list("groups", Need::optional).value_or(std::vector<std::string>{});
  }
  if (*type == "mqtt_light" || *type == "mqtt_sound" || *type == "mqtt_input") {
    device.availability_topic = reader.string("availability_topic", Need::optional).value_or("");
  }
}

// Device templates kept as files, <dir>/<id>.toml, each parsed once; errors in a file point
// into it.
class TemplateFiles {
 public:
  TemplateFiles(std::filesystem::path dir, Diagnostics& diagnostics)
      : dir_(std::move(dir)), diagnostics_(diagnostics) {}

  const toml::table* find(const std::string& id) {
    auto [it, fresh] = tables_.try_emplace(id);
    if (fresh && plain_id(id)) it->second = load(dir_ / (id + ".toml"));
    return it->second ? &*it->second : nullptr;
  }

 private:
  static bool plain_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return std::islower(static_cast<unsigned char>(c)) ||
             std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    }) && id.find("..") == std::string::npos;
  }
  std::optional<toml::table> load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return parse_toml(text.str(), file.string(), diagnostics_);
  }

  std::filesystem::path dir_;
  Diagnostics& diagnostics_;
  std::map<std::string, std::optional<toml::table>> tables_;
};

}  // namespace

void read_buses(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* buses = root.table("buses", Need::optional);
  if (buses == nullptr) return;
  for (const auto& [key, node] : *buses) {
    std::string where = "[buses." + std::string{key.str()} + "]";
    if (!node.is_table()) {
      root.error_at(node.source(), where + " must be a table");
      continue;
    }
    TableReader reader(*node.as_table(), where, diagnostics);
    ModbusBus bus;
    bus.id = std::string{key.str()};
    auto type = reader.choice("type", Need::required, {"tcp", "rtu"});
    bus.type = type == "rtu" ? BusType::rtu : BusType::tcp;
    if (bus.type == BusType::tcp) {
      bus.host = reader.string("host", Need::required).value_or("");
      bus.port = static_cast<int>(reader.integer("port", Need::optional, 1, 65535).value_or(502));
    } else {
      bus.device = reader.string("device", Need::required).value_or("");
      // An absolute path: /dev/ttyUSB0, or better the adapter's stable name under
      // /dev/serial/by-id/ (docs/hardware.md); the tests' pty pairs have theirs elsewhere.
      if (!bus.device.empty() && bus.device.front() != '/') {
        reader.error_at_key("device", "device of " + where +
                                          " must be the serial port's absolute path, such as "
                                          "\"/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K-if00-"
                                          "port0\" or \"/dev/ttyUSB0\"");
      }
      bus.baud =
          static_cast<int>(reader.integer("baud", Need::optional, 1200, 921600).value_or(19200));
      auto parity =
          reader.choice("parity", Need::optional, {"none", "even", "odd"}).value_or("even");
      bus.parity = parity == "none" ? 'N' : parity == "odd" ? 'O' : 'E';
      bus.data_bits =
          static_cast<int>(reader.integer("data_bits", Need::optional, 7, 8).value_or(8));
      bus.stop_bits =
          static_cast<int>(reader.integer("stop_bits", Need::optional, 1, 2).value_or(1));
    }
    bus.response_timeout =
        reader.duration("response_timeout", Need::optional, 10ms, 5s).value_or(250ms);
    bus.frame_delay = reader.duration("frame_delay", Need::optional, 0ms, 1s).value_or(0ms);
    bus.poll_period = reader.duration("poll_period", Need::optional, 5ms, 10s);
    reader.finish();
    room.buses.push_back(std::move(bus));
  }
}

void read_calibrations(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* calibrations = root.table("calibrations", Need::optional);
  if (calibrations == nullptr) return;
  for (const auto& [key, node] : *calibrations) {
    std::string where = "[calibrations." + std::string{key.str()} + "]";
    if (!node.is_table()) {
      root.error_at(node.source(), where + " must be a table");
      continue;
    }
    TableReader reader(*node.as_table(), where, diagnostics);
    Calibration calibration;
    calibration.id = std::string{key.str()};
    const toml::array* points = reader.array("points", Need::required);
    bool ok = points != nullptr;
    if (points != nullptr) {
      for (const toml::node& point : *points) {
        const toml::array* pair = point.as_array();
        auto volume = pair && pair->size() == 2 ? (*pair)[0].value<double>() : std::nullopt;
        auto dba = pair && pair->size() == 2 ? (*pair)[1].value<double>() : std::nullopt;
        if (!volume || !dba || *volume < 0.0 || *volume > 100.0) {
          reader.error_at(point.source(), "each point of " + where +
                                              " must be [volume 0-100, dBA], e.g. [50, 62.0]");
          ok = false;
          continue;
        }
        if (!calibration.points.empty() && (*volume <= calibration.points.back().first ||
                                            *dba <= calibration.points.back().second)) {
          reader.error_at(point.source(), "the points of " + where +
                                              " must rise in both volume and dBA: order them "
                                              "by volume, louder last");
          ok = false;
        }
        calibration.points.emplace_back(*volume, *dba);
      }
      if (calibration.points.size() < 2) {
        reader.error_at_key("points", where + " needs at least two points");
        ok = false;
      }
    }
    reader.finish();
    if (ok) room.calibrations.emplace(calibration.id, std::move(calibration));
  }
}

void read_devices(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* templates = root.table("templates", Need::optional);
  if (templates != nullptr) {
    for (const auto& [key, node] : *templates) {
      if (!node.is_table()) {
        root.error_at(node.source(), "[templates." + std::string{key.str()} + "] must be a table");
      }
    }
  }
  const toml::table* devices = root.table("devices", Need::optional);
  if (devices == nullptr) return;
  TemplateFiles files(room.templates_dir, diagnostics);
  std::map<std::pair<std::string, int>, std::pair<std::string, bool>> unit_owners;
  for (const auto& [key, node] : *devices) {
    std::string where = "[devices." + std::string{key.str()} + "]";
    if (!node.is_table()) {
      root.error_at(node.source(), where + " must be a table");
      continue;
    }
    const toml::table& own = *node.as_table();
    const toml::table* base = nullptr;
    if (const toml::node* name = own.get("template")) {
      auto template_id = name->value<std::string>();
      const toml::node* found =
          template_id && templates != nullptr ? templates->get(*template_id) : nullptr;
      base = found != nullptr ? found->as_table() : nullptr;
      if (found == nullptr && template_id) base = files.find(*template_id);
      if (base == nullptr) {
        std::string id = template_id.value_or("<id>");
        root.error_at(name->source(), "template \"" + template_id.value_or("?") + "\" of " + where +
                                          " is not defined: add a [templates." + id +
                                          "] table, or a file " +
                                          (room.templates_dir / (id + ".toml")).string());
        continue;
      }
      where += " (template " + *template_id + ")";
    }
    TableReader reader(own, base, where, diagnostics);
    reader.string("template", Need::optional);  // handled above
    Device device;
    device.id = std::string{key.str()};
    if (base != nullptr) device.template_id = own.get("template")->value_or(std::string{});
    read_device(reader, device, room);
    if (const ModbusBinding* binding = device.modbus()) {
      // The contacts of one I/O module (an E-stop and a door) share its unit id.
      bool contact = device.as<Input>() != nullptr;
      auto [owner, fresh] = unit_owners.emplace(std::make_pair(binding->bus, binding->unit),
                                                std::make_pair(device.id, contact));
      if (!fresh && !(contact && owner->second.second)) {
        reader.error_at_key("unit", "devices \"" + owner->second.first + "\" and \"" + device.id +
                                        "\" both use unit " + std::to_string(binding->unit) +
                                        " on bus \"" + binding->bus +
                                        "\": give each device its own unit id (only the "
                                        "inputs of one I/O module share one)");
      }
    }
    reader.finish();
    room.devices.push_back(std::move(device));
  }
}

void read_safe_scene(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* table = root.table("safe_scene", Need::optional);
  if (table == nullptr) return;
  TableReader reader(*table, "[safe_scene]", diagnostics);
  SafeScene& scene = room.safe_scene;
  scene.color = reader.color("color", Need::optional).value_or(scene.color);
  scene.brightness_pct =
      reader.percent("brightness", Need::optional).value_or(scene.brightness_pct);
  if (const toml::table* fixtures = reader.table("fixtures", Need::optional)) {
    for (const auto& [key, node] : *fixtures) {
      std::string id{key.str()};
      std::string where = "[safe_scene.fixtures." + id + "]";
      const Device* device = room.find_device(id);
      if (device == nullptr || device->kind() != DeviceKind::light) {
        reader.error_at(key.source(), where + " names no light: use the id of a light device");
        continue;
      }
      if (!node.is_table()) {
        reader.error_at(node.source(), where + " must be a table");
        continue;
      }
      TableReader fixture(*node.as_table(), where, diagnostics);
      auto color = fixture.color("color", Need::optional).value_or(scene.color);
      auto brightness =
          fixture.percent("brightness", Need::optional).value_or(scene.brightness_pct);
      fixture.finish();
      scene.fixtures[id] = {color, brightness};
    }
  }
  reader.finish();
}

}  // namespace sensoryd::config
