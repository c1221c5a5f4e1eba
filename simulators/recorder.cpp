#include "simulators/recorder.hpp"

#include <chrono>

namespace sensoryd::sim {

double wall_seconds() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(now).count();
}

Recorder::Recorder(const std::string& path) : enabled_(!path.empty()) {
  if (enabled_) file_ = std::fopen(path.c_str(), "a");
}

Recorder::~Recorder() {
  if (file_ != nullptr) std::fclose(file_);
}

void Recorder::line(const std::string& json_fields) {
  if (file_ == nullptr) return;
  std::fprintf(file_, "{\"t\":%.6f,%s}\n", wall_seconds(), json_fields.c_str());
  // Flushed per line: a test reads the file while the simulator runs, and a kill loses nothing.
  std::fflush(file_);
}

void Recorder::write(int unit, std::uint16_t address, const std::string& name, std::uint16_t value,
                     double engineering) {
  char eng[32];
  std::snprintf(eng, sizeof eng, "%.6g", engineering);
  line("\"type\":\"write\",\"unit\":" + std::to_string(unit) +
       ",\"register\":" + std::to_string(address) + ",\"name\":\"" + name +
       "\",\"value\":" + std::to_string(value) + ",\"eng\":" + eng);
}

void Recorder::event(int unit, const std::string& name, const std::string& fields) {
  line("\"type\":\"event\",\"unit\":" + std::to_string(unit) + ",\"event\":\"" + name + "\"" +
       (fields.empty() ? "" : "," + fields));
}

namespace {

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

}  // namespace

void Recorder::control(const std::string& command) {
  line("\"type\":\"control\",\"command\":\"" + escaped(command) + "\"");
}

void Recorder::message(const std::string& device, const std::string& payload_json) {
  line("\"type\":\"message\",\"device\":\"" + escaped(device) + "\",\"payload\":" + payload_json);
}

}  // namespace sensoryd::sim
