#include "config/summary.hpp"

#include "config/map_summary.hpp"
#include "config/units.hpp"

#include <sstream>

namespace sensoryd::config {

namespace {

std::string minutes_seconds(Millis length) {
  long long s = length.count() / 1000;
  std::ostringstream text;
  if (s >= 60) text << s / 60 << "m";
  if (s % 60 != 0 || s < 60) text << s % 60 << "s";
  return text.str();
}

std::string interval_text(const std::optional<Millis>& interval) {
  return interval ? "every " + format_duration(*interval) : std::string{"off"};
}

std::string binding_text(const Device& device) {
  if (const ModbusBinding* m = device.modbus()) return "unit " + std::to_string(m->unit);
  if (const auto* light = device.as<MqttLight>()) return "mqtt " + light->topic;
  if (const auto* sound = device.as<MqttSound>()) return "mqtt " + sound->topic;
  if (const auto* input = device.as<Input>(); input && input->mqtt()) {
    return "mqtt " + input->mqtt()->topic;
  }
  return "";
}

}  // namespace

std::string summarize(const Room& room) {
  std::ostringstream out;
  out << room.source.string() << ": OK: room '" << room.id << "' (" << room.name << "), "
      << room.devices.size() << " device(s), " << room.profiles.size() << " profile(s), "
      << room.children.size() << " child(ren)\n";
  for (const auto& bus : room.buses) {
    out << "  bus " << bus.id << " ("
        << (bus.type == BusType::tcp ? "tcp " + bus.host + ":" + std::to_string(bus.port)
                                     : "rtu " + bus.device + " " + std::to_string(bus.baud))
        << "):";
    for (const auto& device : room.devices) {
      const ModbusBinding* m = device.modbus();
      if (m != nullptr && m->bus == bus.id) {
        out << " " << device.id << " (" << device.type << ", unit " << m->unit << ")";
      }
    }
    out << "\n";
  }
  // Each Modbus device's map as resolved, to compare with its manual line by line.
  for (const auto& device : room.devices) out << describe_map(device, "    ");
  for (const auto& device : room.devices) {
    if (device.modbus() == nullptr) {
      out << "  mqtt device " << device.id << " (" << device.type << ", " << binding_text(device)
          << ")\n";
    }
  }
  for (const auto& [id, profile] : room.profiles) {
    out << "  profile " << id << ": " << profile.purpose << ", " << profile.steps.size()
        << " step(s), " << minutes_seconds(profile.total_duration());
    if (profile.loop) out << " (with loop x" << profile.loop->count << ")";
    if (!profile.wind_down.empty()) out << ", " << profile.wind_down.size() << " wind-down step(s)";
    if (!profile.triggers.empty()) out << ", " << profile.triggers.size() << " trigger(s)";
    out << "\n";
  }
  for (const auto& [id, child] : room.children) {
    out << "  child " << id;
    if (!child.flags.empty()) {
      out << ":";
      for (ChildFlag flag : child.flags) out << " " << to_string(flag);
    }
    out << "\n";
  }
  const Limits& l = room.limits;
  out << "  limits: swing <= " << l.swing.max_amplitude_deg
      << " deg, period >= " << l.swing.min_period_s << " s; rotary <= " << l.rotary.max_rate_rev_s
      << " rev/s, " << l.rotary.max_revolutions << " revolutions then " << l.rotary.min_pause_s
      << " s at rest; "
      << "flashes <= " << l.light.max_flashes_per_s << "/s; sound <= " << l.sound.max_dba
      << " dBA, rises <= " << l.sound.max_rise_db_s
      << " dB/s; sessions <= " << minutes_seconds(l.session.max_duration) << "; lease "
      << (l.session.lease_required ? minutes_seconds(l.session.lease) : std::string{"off"}) << "\n";
  out << "  checks: E-stop " << interval_text(l.checks.estop_interval) << ", door "
      << interval_text(l.checks.door_interval) << "; validation sign-off "
      << (l.checks.require_validation ? "required for motion" : "shown, not required") << "\n";
  for (const auto& key : l.tightened) out << "  tightened: " << key << "\n";
  for (const auto& loose : l.loosened) {
    out << "  LOOSENED: " << loose.key << " = " << loose.value << " (reason: " << loose.reason
        << ")\n";
  }
  return out.str();
}

}  // namespace sensoryd::config
