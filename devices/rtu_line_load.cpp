#include "devices/rtu_line_load.hpp"

#include <cstdio>

#include "devices/modbus_input.hpp"
#include "devices/register_output.hpp"
#include "devices/swing_drive.hpp"

namespace sensoryd::devices {

namespace {

// Characters of a read and its answer: address, function, 2+2 bytes, CRC; then address,
// function, byte count, the data, CRC.
int read_characters(const ReadBlock& read) {
  bool bits = read.kind == RegisterKind::coil || read.kind == RegisterKind::discrete;
  int data = bits ? (read.count + 7) / 8 : 2 * read.count;
  return 8 + 5 + data;
}

constexpr int kWriteCharacters = 8 + 8;  // a single register written, and its echo

// The reads a Modbus device makes at each poll, as its driver plans them.
std::vector<ReadBlock> polled_reads(const config::Device& device) {
  if (const auto* drive = device.as<config::SwingDrive>()) return SwingDrive::polled_reads(*drive);
  if (const auto* light = device.as<config::ModbusLight>()) {
    return RegisterOutput::polled_reads(light->channels);
  }
  if (const auto* sound = device.as<config::ModbusSound>()) {
    return RegisterOutput::polled_reads(sound->registers);
  }
  if (const auto* input = device.as<config::Input>(); input && input->modbus()) {
    return {ModbusInput::polled_read(*input->modbus())};
  }
  return {};
}

std::string number(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

double rtu_character_ms(const config::ModbusBus& bus) {
  int bits = 1 + bus.data_bits + (bus.parity == 'N' ? 0 : 1) + bus.stop_bits;
  return 1000.0 * bits / bus.baud;
}

double rtu_silence_ms(const config::ModbusBus& bus) {
  return bus.baud > 19200 ? 1.75 : 3.5 * rtu_character_ms(bus);
}

std::vector<RtuLineLoad> rtu_line_loads(const config::Room& room) {
  std::vector<RtuLineLoad> loads;
  for (const auto& bus : room.buses) {
    if (bus.type != config::BusType::rtu) continue;
    double character = rtu_character_ms(bus);
    // Each request and its answer: their characters, a silence after each, the unit's
    // turnaround, and the bus's own frame_delay after the exchange.
    double overhead =
        2 * rtu_silence_ms(bus) + kRtuTurnaroundMs + static_cast<double>(bus.frame_delay.count());
    RtuLineLoad load;
    load.bus = bus.id;
    int devices = 0;
    bool drives = false;
    for (const auto& device : room.devices) {
      const config::ModbusBinding* binding = device.modbus();
      if (binding == nullptr || binding->bus != bus.id) continue;
      ++devices;
      double polls_per_s = 1000.0 / static_cast<double>(binding->poll_period.count());
      for (const ReadBlock& read : polled_reads(device)) {
        load.requests_per_s += polls_per_s;
        load.busy_ms_per_s += polls_per_s * (read_characters(read) * character + overhead);
      }
      if (const auto* drive = device.as<config::SwingDrive>()) {
        drives = true;
        // The heartbeat: every quarter of the comm-loss timeout.
        double beats_per_s = 4000.0 / static_cast<double>(drive->comm_loss_timeout.count());
        load.requests_per_s += beats_per_s;
        load.busy_ms_per_s += beats_per_s * (kWriteCharacters * character + overhead);
      }
    }
    double each = load.requests_per_s > 0 ? load.busy_ms_per_s / load.requests_per_s : 0.0;
    load.arithmetic =
        "[buses." + bus.id + "] at " + std::to_string(bus.baud) + " baud, " +
        std::to_string(bus.data_bits) + bus.parity + std::to_string(bus.stop_bits) + " (" +
        number(character, "%.3f") + " ms a character, " + number(rtu_silence_ms(bus), "%.2f") +
        " ms between frames): " + std::to_string(devices) + " device(s) poll " +
        number(load.requests_per_s, "%.1f") + " requests a second" +
        (drives ? " (the drive's heartbeat included), " : ", ") + number(each, "%.1f") +
        " ms each on the line (the request and its answer, two silences, " +
        number(kRtuTurnaroundMs, "%.0f") + " ms assumed for the unit to answer" +
        (bus.frame_delay.count() > 0 ? ", frame_delay" : "") +
        "): " + number(load.busy_ms_per_s, "%.0f") + " ms of every 1000";
    if (load.over()) {
      load.arithmetic += ", more than the " + number(kRtuMaxBusyMsPerS, "%.0f") +
                         " that leave room for retries and writes: poll less often (poll_period) "
                         "or raise the baud rate";
    }
    loads.push_back(std::move(load));
  }
  return loads;
}

}  // namespace sensoryd::devices
