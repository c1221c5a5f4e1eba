// Reading the project's own docs and page in tests, to check they list what the code does:
// a source file's text, and the backticked names in the first cell of a Markdown table.
// (Plain string scanning: g++ 12's std::regex trips -Wmaybe-uninitialized under ASan.)
#pragma once

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "test_paths.hpp"

namespace sensoryd::test {

inline std::string source_text(const std::string& relative) {
  std::ifstream file(std::string{SENSORYD_SOURCE_DIR} + "/" + relative);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Each `name` in the first cell of the rows of the table whose header row is `header`
// ("| `a` / `b` | ..." gives a and b), up to the table's end (a blank line).
inline std::set<std::string> first_cell_names(const std::string& text, const std::string& header) {
  std::set<std::string> names;
  auto start = text.find(header);
  if (start == std::string::npos) return names;
  std::istringstream table(text.substr(start, text.find("\n\n", start) - start));
  std::string line;
  std::getline(table, line);  // the header row
  while (std::getline(table, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::string cell = line.substr(2, line.find(" |", 2) - 2);
    for (auto open = cell.find('`'); open != std::string::npos; open = cell.find('`', open)) {
      auto close = cell.find('`', open + 1);
      if (close == std::string::npos) break;
      names.insert(cell.substr(open + 1, close - open - 1));
      open = close + 1;
    }
  }
  return names;
}

}  // namespace sensoryd::test
