// Compact JSON written straight into a string, for the state rendered at every change (the
// `safety` message): no document is built first, so a render allocates next to nothing. Its text
// is the text json_text() gives for the same value, provided each object's keys are written in
// byte order, as nlohmann's objects keep them (status_json_test checks this).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sensoryd {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view text);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  JsonWriter& integer(std::int64_t value);
  JsonWriter& number(double value);  // as nlohmann writes a double: 10.0, 0.2, 1e+20
  JsonWriter& string_or_null(std::string_view text) { return text.empty() ? null() : string(text); }

 private:
  static constexpr std::size_t kMaxDepth = 16;
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void before_value();
  void quoted(std::string_view text);  // a string as JSON writes it, with its quotes

  std::string& out_;
  std::array<bool, kMaxDepth> has_items_{};  // per open container: an item written already
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

}  // namespace sensoryd
