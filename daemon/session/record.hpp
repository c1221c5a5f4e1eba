// One event for tablets (`events`) and the clinical session log: its type (with its rules,
// daemon/session/event_type) and typed fields, made by session control and the app, rendered to
// JSON once, by daemon/record/status_json.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "daemon/session/event_type.hpp"

namespace sensoryd {

// A nested object already rendered as JSON text (a session's dose).
struct JsonText {
  std::string text;
  bool operator==(const JsonText&) const = default;
};

using FieldValue = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string,
                                std::vector<std::string>, JsonText>;

// An event's fields in the order they were set; setting a key again replaces its value.
class Fields {
 public:
  struct Field {
    std::string key;
    FieldValue value;
  };

  Fields() = default;
  Fields(std::initializer_list<Field> fields) {
    for (const auto& field : fields) set(field.key, field.value);
  }

  void set(std::string_view key, FieldValue value) {
    for (auto& field : fields_) {
      if (field.key == key) {
        field.value = std::move(value);
        return;
      }
    }
    fields_.push_back(Field{std::string{key}, std::move(value)});
  }
  // The value of `key`, or nullptr when it is not set.
  const FieldValue* find(std::string_view key) const {
    for (const auto& field : fields_) {
      if (field.key == key) return &field.value;
    }
    return nullptr;
  }
  // The text of a string field; empty when it is not set or not a string.
  std::string text(std::string_view key) const {
    const auto* value = find(key);
    const auto* text = value == nullptr ? nullptr : std::get_if<std::string>(value);
    return text == nullptr ? std::string{} : *text;
  }

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

struct Record {
  EventType type;
  Fields fields;

  // What everyone who reads the room's events gets: each of the type's log-only fields
  // (rules_of(type).log_only_fields) replaced by `<field>_bytes`, its length.
  Fields published_fields() const {
    const auto& hidden = rules_of(type).log_only_fields;
    if (hidden.empty()) return fields;
    Fields told;
    for (const auto& field : fields) {
      bool log_only = false;
      for (auto key : hidden) log_only = log_only || field.key == key;
      if (!log_only) {
        told.set(field.key, field.value);
        continue;
      }
      const auto* text = std::get_if<std::string>(&field.value);
      told.set(field.key + "_bytes", static_cast<std::int64_t>(text != nullptr ? text->size() : 0));
    }
    return told;
  }
};

}  // namespace sensoryd
