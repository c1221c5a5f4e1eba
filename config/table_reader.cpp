#include "config/table_reader.hpp"

#include <cmath>
#include <string>

#include "config/duration.hpp"
#include "config/units.hpp"

namespace sensoryd::config {

namespace {

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "true/false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

}  // namespace

std::string Diagnostic::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::optional<toml::table> parse_toml(std::string_view text, const std::string& name,
                                      Diagnostics& diagnostics) {
  try {
    return toml::parse(text, std::string_view{name});
  } catch (const toml::parse_error& e) {
    diagnostics.errors.push_back(
        diagnostic_at(e.source(), "TOML syntax error: " + std::string{e.description()}));
    return std::nullopt;
  }
}

Diagnostic diagnostic_at(const toml::source_region& where, std::string message) {
  Diagnostic d;
  d.file = where.path ? *where.path : std::string{"<config>"};
  d.line = static_cast<int>(where.begin.line);
  d.column = static_cast<int>(where.begin.column);
  d.message = std::move(message);
  return d;
}

TableReader::TableReader(const toml::table& table, std::string where, Diagnostics& diagnostics)
    : table_(table), where_(std::move(where)), diagnostics_(diagnostics) {}

TableReader::TableReader(const toml::table& table, const toml::table* fallback, std::string where,
                         Diagnostics& diagnostics)
    : table_(table), fallback_(fallback), where_(std::move(where)), diagnostics_(diagnostics) {}

const toml::node* TableReader::lookup(std::string_view key) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr && fallback_ != nullptr) node = fallback_->get(key);
  return node;
}

void TableReader::error_at(const toml::source_region& where, std::string message) {
  diagnostics_.errors.push_back(diagnostic_at(where, std::move(message)));
}

void TableReader::error_at_key(std::string_view key, std::string message) {
  const toml::node* node = lookup(key);
  error_at(node ? node->source() : table_.source(), std::move(message));
}

void TableReader::warning_at_key(std::string_view key, std::string message) {
  const toml::node* node = lookup(key);
  diagnostics_.warnings.push_back(
      diagnostic_at(node ? node->source() : table_.source(), std::move(message)));
}

const toml::node* TableReader::get(std::string_view key, Need need, std::string_view expected) {
  used_.emplace(key);
  const toml::node* node = lookup(key);
  if (node == nullptr && need == Need::required) {
    error_at(table_.source(), "missing key '" + std::string{key} + "' in " + where_ + ": add " +
                                  std::string{key} + " = <" + std::string{expected} + ">");
  }
  return node;
}

void TableReader::wrong_type(std::string_view key, const toml::node& node,
                             std::string_view expected) {
  error_at(node.source(), "'" + std::string{key} + "' in " + where_ + " must be " +
                              std::string{expected} + ", not " + type_name(node));
}

std::optional<std::string> TableReader::string(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "text in quotes");
  if (node == nullptr) return std::nullopt;
  if (auto value = node->value<std::string>(); value && node->is_string()) {
    if (value->empty()) {
      error_at(node->source(), "'" + std::string{key} + "' in " + where_ + " must not be empty");
      return std::nullopt;
    }
    return value;
  }
  wrong_type(key, *node, "a string in quotes");
  return std::nullopt;
}

std::optional<long long> TableReader::integer(std::string_view key, Need need, long long min,
                                              long long max) {
  const toml::node* node = get(key, need, "integer");
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) {
    wrong_type(key, *node, "an integer");
    return std::nullopt;
  }
  long long value = node->as_integer()->get();
  if (value < min || value > max) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ + " is " +
                                 std::to_string(value) + ": use a value from " +
                                 std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<double> TableReader::number(std::string_view key, Need need, double min, double max) {
  const toml::node* node = get(key, need, "number");
  if (node == nullptr) return std::nullopt;
  double value = 0.0;
  if (node->is_integer()) {
    value = static_cast<double>(node->as_integer()->get());
  } else if (node->is_floating_point()) {
    value = node->as_floating_point()->get();
  } else {
    wrong_type(key, *node, "a number");
    return std::nullopt;
  }
  if (!std::isfinite(value) || value < min || value > max) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ + " is " +
                                 format_number(value) + ": use a value from " + format_number(min) +
                                 " to " + format_number(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::milliseconds> TableReader::duration(std::string_view key, Need need,
                                                               std::chrono::milliseconds min,
                                                               std::chrono::milliseconds max) {
  const toml::node* node = get(key, need, "duration such as \"30s\"");
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) {
    wrong_type(key, *node,
               "a duration in quotes with a unit, such as \"500ms\", \"30s\" or \"2m\"");
    return std::nullopt;
  }
  auto value = parse_duration(node->as_string()->get());
  if (!value) {
    error_at(node->source(),
             "'" + std::string{key} + "' in " + where_ + " is \"" + node->as_string()->get() +
                 "\": write a number with a unit ms, s, m, h or d, such as \"30s\"");
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ + " is " +
                                 format_duration(*value) + ": use a duration from " +
                                 format_duration(min) + " to " + format_duration(max));
    return std::nullopt;
  }
  return value;
}

const toml::table* TableReader::table(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "table");
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    wrong_type(key, *node, "a table");
    return nullptr;
  }
  return node->as_table();
}

const toml::array* TableReader::array(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "array");
  if (node == nullptr) return nullptr;
  if (!node->is_array()) {
    wrong_type(key, *node, "an array of tables ([[" + std::string{key} + "]])");
    return nullptr;
  }
  return node->as_array();
}

std::optional<bool> TableReader::boolean(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "true or false");
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) {
    wrong_type(key, *node, "true or false");
    return std::nullopt;
  }
  return node->as_boolean()->get();
}

std::optional<std::vector<std::string>> TableReader::string_list(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "[\"...\", ...]");
  if (node == nullptr) return std::nullopt;
  if (!node->is_array()) {
    wrong_type(key, *node, "a list of strings such as [\"a\", \"b\"]");
    return std::nullopt;
  }
  std::vector<std::string> items;
  for (const toml::node& item : *node->as_array()) {
    if (!item.is_string() || item.as_string()->get().empty()) {
      error_at(item.source(), "every item of '" + std::string{key} + "' in " + where_ +
                                  " must be a non-empty string in quotes");
      return std::nullopt;
    }
    items.push_back(item.as_string()->get());
  }
  return items;
}

std::optional<double> TableReader::percent(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "percentage such as \"40%\"");
  if (node == nullptr) return std::nullopt;
  std::optional<double> value;
  if (node->is_string()) {
    value = parse_percent(node->as_string()->get());
  } else if (node->is_integer() || node->is_floating_point()) {
    value = node->value<double>();
    if (value && (*value < 0.0 || *value > 100.0)) value.reset();
  }
  if (!value) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ +
                                 " must be a percentage from 0 to 100, such as \"40%\"");
  }
  return value;
}

std::optional<double> TableReader::decibels(std::string_view key, Need need, double min,
                                            double max) {
  const toml::node* node = get(key, need, "level such as \"62dB\"");
  if (node == nullptr) return std::nullopt;
  std::optional<double> value;
  if (node->is_string()) {
    value = parse_decibels(node->as_string()->get());
  } else if (node->is_integer() || node->is_floating_point()) {
    value = node->value<double>();
  }
  if (!value) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ +
                                 " must be a level in decibels, such as \"62dB\"");
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ + " is " +
                                 format_number(*value) + " dB: use a level from " +
                                 format_number(min) + " to " + format_number(max) + " dB");
    return std::nullopt;
  }
  return value;
}

std::optional<Rgb> TableReader::color(std::string_view key, Need need) {
  const toml::node* node = get(key, need, "colour such as \"#3060ff\"");
  if (node == nullptr) return std::nullopt;
  std::optional<Rgb> value;
  if (node->is_string()) value = parse_color(node->as_string()->get());
  if (!value) {
    error_at(node->source(), "'" + std::string{key} + "' in " + where_ +
                                 " must be a colour \"#rrggbb\" or a name such as \"blue\" or "
                                 "\"warm-white\"");
  }
  return value;
}

std::optional<std::string> TableReader::choice(std::string_view key, Need need,
                                               const std::vector<std::string_view>& choices) {
  auto value = string(key, need);
  if (!value) return std::nullopt;
  for (auto c : choices) {
    if (c == *value) return value;
  }
  std::string list;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + std::string{choices[i]};
  }
  error_at_key(key,
               "'" + std::string{key} + "' in " + where_ + " is \"" + *value + "\": use " + list);
  return std::nullopt;
}

const toml::node* TableReader::table_or_array(std::string_view key) {
  used_.emplace(key);
  const toml::node* node = lookup(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table() && !node->is_array()) {
    wrong_type(key, *node, "a table {...} or a list of tables [{...}, ...]");
    return nullptr;
  }
  return node;
}

const toml::node* TableReader::node(std::string_view key) {
  used_.emplace(key);
  return lookup(key);
}

void TableReader::finish() {
  auto check = [&](const toml::table& table) {
    for (const auto& [key, node] : table) {
      if (used_.find(key.str()) == used_.end()) {
        error_at(key.source().begin.line != 0 ? key.source() : node.source(),
                 "unknown key '" + std::string{key.str()} + "' in " + where_ +
                     ": check the spelling, or remove it (see docs/configuration.md)");
      }
    }
  };
  check(table_);
  if (fallback_ != nullptr) check(*fallback_);
}

}  // namespace sensoryd::config
