// S22: the validation report a technician signs. Each safety function S1-S21 with its
// parameters as configured, the configuration's hashes, and the last time the clinical log saw
// each function work (functional checks with their measured times, trips, resets, clamps). Made
// from the room as loaded and the log's records; pure, so a test gives it both.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config/fingerprint.hpp"
#include "config/model.hpp"

namespace sensoryd {

struct SafetyFunctionReport {
  std::string id;                                               // "S3"
  std::string name;                                             // "E-stop"
  std::vector<std::pair<std::string, std::string>> parameters;  // as configured
  std::vector<std::string> seen;  // the log's evidence, newest last; empty: none
};

// Whether the clinical log can show `function` at work (S1, a design property, cannot).
bool logged_function(const std::string& id);

struct ValidationReport {
  std::string room;
  std::string config_file;
  std::string generated_at;  // ISO 8601 UTC
  std::string config_sha256;
  std::string safety_sha256;
  std::vector<std::string> safety_files;  // what safety_sha256 covers
  std::string validation;                 // the last sign-off and whether it is current, in words
  bool validation_current = false;
  std::vector<SafetyFunctionReport> functions;
};

ValidationReport validation_report(const config::Room& room, const config::Fingerprint& print,
                                   const std::vector<std::string>& log_records,
                                   std::chrono::system_clock::time_point now);
std::string report_markdown(const ValidationReport& report);
std::string report_json(const ValidationReport& report);

}  // namespace sensoryd
