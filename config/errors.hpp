// Configuration diagnostics: where a problem is and what to change.
#pragma once

#include <string>
#include <vector>

namespace sensoryd::config {

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;  // says what is wrong and what to change

  // "file:line:col: message", the form editors and technicians both read.
  std::string to_string() const;
};

struct Diagnostics {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  bool ok() const { return errors.empty(); }
};

}  // namespace sensoryd::config
