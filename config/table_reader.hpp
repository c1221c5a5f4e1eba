// Reads one TOML table strictly: typed getters that record file:line:col diagnostics, and a
// finish() that refuses every key nobody asked for, so a typo never falls back to a default.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/device_model.hpp"
#include "config/errors.hpp"

namespace sensoryd::config {

// Whether a key must be there: a missing required key is an error naming the table.
enum class Need { optional, required };

class TableReader {
 public:
  // `where` names the table in messages, e.g. "[mqtt]" or "step 2 of profile calm-down".
  TableReader(const toml::table& table, std::string where, Diagnostics& diagnostics);
  // Keys missing from `table` are looked up in `fallback` (a device's template). A nested
  // table is taken whole from whichever of the two has it.
  TableReader(const toml::table& table, const toml::table* fallback, std::string where,
              Diagnostics& diagnostics);

  std::optional<std::string> string(std::string_view key, Need need);
  std::optional<long long> integer(std::string_view key, Need need, long long min, long long max);
  std::optional<double> number(std::string_view key, Need need, double min, double max);
  std::optional<std::chrono::milliseconds> duration(std::string_view key, Need need,
                                                    std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max);
  std::optional<bool> boolean(std::string_view key, Need need);
  std::optional<std::vector<std::string>> string_list(std::string_view key, Need need);
  // "40%" or a number from 0 to 100.
  std::optional<double> percent(std::string_view key, Need need);
  // "62dB" or a number.
  std::optional<double> decibels(std::string_view key, Need need, double min, double max);
  // "#rrggbb" or a colour name.
  std::optional<Rgb> color(std::string_view key, Need need);
  // One of `choices`; the message lists them.
  std::optional<std::string> choice(std::string_view key, Need need,
                                    const std::vector<std::string_view>& choices);
  const toml::table* table(std::string_view key, Need need);
  // A table or an array (of tables): `lights = {...}` or `lights = [{...}, {...}]`.
  const toml::node* table_or_array(std::string_view key);
  const toml::array* array(std::string_view key, Need need);
  // The node at `key` of whatever type (a value with a short and a long form), or nullptr.
  const toml::node* node(std::string_view key);

  // Marks a key as known without reading it (when an earlier error makes it moot).
  void ignore(std::string_view key) { used_.emplace(key); }
  // Reports every key of the table that no getter asked for.
  void finish();

  void error_at(const toml::source_region& where, std::string message);
  void error_at_key(std::string_view key, std::string message);
  void warning_at_key(std::string_view key, std::string message);
  const std::string& where() const { return where_; }
  Diagnostics& diagnostics() { return diagnostics_; }
  // Where the table itself is, for problems of the table as a whole.
  const toml::source_region& source() const { return table_.source(); }

 private:
  const toml::node* get(std::string_view key, Need need, std::string_view expected);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::node* lookup(std::string_view key) const;

  const toml::table& table_;
  const toml::table* fallback_ = nullptr;
  std::string where_;
  Diagnostics& diagnostics_;
  std::set<std::string, std::less<>> used_;
};

// Parses a TOML document; a syntax error becomes a diagnostic with its place.
std::optional<toml::table> parse_toml(std::string_view text, const std::string& name,
                                      Diagnostics& diagnostics);

// A diagnostic located at a TOML node's source position.
Diagnostic diagnostic_at(const toml::source_region& where, std::string message);

}  // namespace sensoryd::config
