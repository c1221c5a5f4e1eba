#include "config/profile_form.hpp"

#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "config/profile_loader.hpp"

namespace sensoryd::config {

namespace {

using nlohmann::json;
using Position = std::pair<std::uint32_t, std::uint32_t>;  // line, column

std::string pointer_token(std::string_view key) {
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

// JSON -> a TOML node; what TOML cannot hold (null, deep nesting, huge numbers) is an error at
// its pointer and leaves the node out.
std::unique_ptr<toml::node> to_toml(const json& value, const std::string& pointer, int depth,
                                    std::vector<FormError>& errors) {
  if (depth > kMaxFormDepth) {
    errors.push_back({pointer, "nested deeper than a profile has fields: remove the extra level"});
    return nullptr;
  }
  switch (value.type()) {
    case json::value_t::object: {
      auto table = std::make_unique<toml::table>();
      for (const auto& [key, item] : value.items()) {
        auto node = to_toml(item, pointer + "/" + pointer_token(key), depth + 1, errors);
        if (node) table->insert(key, std::move(*node));
      }
      return table;
    }
    case json::value_t::array: {
      auto array = std::make_unique<toml::array>();
      std::size_t index = 0;
      for (const auto& item : value) {
        auto node = to_toml(item, pointer + "/" + std::to_string(index++), depth + 1, errors);
        if (node) array->push_back(std::move(*node));
      }
      return array;
    }
    case json::value_t::string:
      return std::make_unique<toml::value<std::string>>(value.get<std::string>());
    case json::value_t::boolean:
      return std::make_unique<toml::value<bool>>(value.get<bool>());
    case json::value_t::number_integer:
      return std::make_unique<toml::value<std::int64_t>>(value.get<std::int64_t>());
    case json::value_t::number_unsigned: {
      auto n = value.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        errors.push_back({pointer, "the number is too large: use a value in the field's range"});
        return nullptr;
      }
      return std::make_unique<toml::value<std::int64_t>>(static_cast<std::int64_t>(n));
    }
    case json::value_t::number_float:
      return std::make_unique<toml::value<double>>(value.get<double>());
    default:
      errors.push_back({pointer, "null is not a value: leave the field out instead"});
      return nullptr;
  }
}

// Where each node and key of a parsed document is, as the pointer of its field.
void map_positions(const toml::node& node, const std::string& pointer,
                   std::map<Position, std::string>& at) {
  auto mark = [&](const toml::source_region& where, const std::string& p) {
    if (where.begin.line == 0) return;
    at.emplace(Position{where.begin.line, where.begin.column}, p);
  };
  mark(node.source(), pointer);
  if (const toml::table* table = node.as_table()) {
    for (const auto& [key, item] : *table) {
      std::string child = pointer + "/" + pointer_token(key.str());
      mark(key.source(), child);
      map_positions(item, child, at);
    }
  } else if (const toml::array* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      map_positions(*array->get(i), pointer + "/" + std::to_string(i), at);
    }
  }
}

// The pointer of the field a diagnostic is at: the node or key there, or else the last one
// before it (a problem of a whole table is reported where the table begins).
std::string pointer_at(const std::map<Position, std::string>& at, const Diagnostic& d) {
  Position where{static_cast<std::uint32_t>(d.line), static_cast<std::uint32_t>(d.column)};
  auto it = at.upper_bound(where);
  if (it == at.begin()) return "";
  return std::prev(it)->second;
}

json to_json(const toml::node& node) {
  if (const toml::table* table = node.as_table()) {
    json out = json::object();
    for (const auto& [key, item] : *table) out[std::string{key.str()}] = to_json(item);
    return out;
  }
  if (const toml::array* array = node.as_array()) {
    json out = json::array();
    for (const auto& item : *array) out.push_back(to_json(item));
    return out;
  }
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return *node.value<std::int64_t>();
  if (node.is_floating_point()) return *node.value<double>();
  if (node.is_boolean()) return *node.value<bool>();
  // Dates and times have no place in a profile: kept as text, for the loader to refuse.
  std::ostringstream text;
  text << toml::toml_formatter{node};
  return text.str();
}

}  // namespace

FormReading read_form(const json& form, const std::filesystem::path& file,
                      const std::function<void(const std::string& toml, Diagnostics&)>& read) {
  FormReading reading;
  if (!form.is_object()) {
    reading.errors.push_back({"", "a form is a JSON object with its file's keys"});
    return reading;
  }
  auto node = to_toml(form, "", 0, reading.errors);
  if (!reading.errors.empty()) return reading;
  std::ostringstream text;
  text << toml::toml_formatter{*node->as_table()};
  reading.toml = text.str() + "\n";

  Diagnostics diagnostics;
  read(reading.toml, diagnostics);
  std::map<Position, std::string> at;
  try {
    map_positions(toml::parse(reading.toml, file.string()), "", at);
  } catch (const toml::parse_error&) {
    // The loader has said so, at the whole form.
  }
  for (const auto& d : diagnostics.errors) reading.errors.push_back({pointer_at(at, d), d.message});
  for (const auto& d : diagnostics.warnings) {
    reading.warnings.push_back({pointer_at(at, d), d.message});
  }
  return reading;
}

FormCheck check_profile_form(const json& form, const Room& room,
                             const std::filesystem::path& file) {
  FormCheck check;
  if (!form.is_object()) {
    check.errors.push_back({"", "a profile is a JSON object with the profile file's keys"});
    return check;
  }
  auto reading = read_form(form, file, [&](const std::string& toml, Diagnostics& diagnostics) {
    check.profile = load_profile(toml, file, room, diagnostics);
  });
  check.toml = std::move(reading.toml);
  check.errors = std::move(reading.errors);
  check.warnings = std::move(reading.warnings);
  if (!check.errors.empty()) check.profile.reset();
  return check;
}

std::optional<json> profile_form_from_toml(std::string_view toml_text) {
  try {
    return to_json(toml::parse(toml_text));
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
}

}  // namespace sensoryd::config
