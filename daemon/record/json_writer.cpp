#include "daemon/record/json_writer.hpp"

#include <charconv>
#include <stdexcept>

#include "daemon/session/json_text.hpp"

namespace sensoryd {

namespace {

// Printable ASCII without a quote or a backslash: written as it is. Anything else (escapes,
// UTF-8, bytes that are not UTF-8) is written by nlohmann itself, so that the text stays the
// same as json_text()'s, bad bytes replaced alike.
bool plain(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

JsonWriter& JsonWriter::open(char bracket) {
  before_value();
  if (depth_ == kMaxDepth) throw std::logic_error("JsonWriter: nested too deep");
  out_ += bracket;
  has_items_[depth_++] = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  --depth_;
  out_ += bracket;
  return *this;
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  if (has_items_[depth_ - 1]) out_ += ',';
  has_items_[depth_ - 1] = true;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  quoted(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
  before_value();
  quoted(text);
  return *this;
}

void JsonWriter::quoted(std::string_view text) {
  if (plain(text)) {
    out_ += '"';
    out_ += text;
    out_ += '"';
  } else {
    out_ += json_text(nlohmann::json(std::string(text)));
  }
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t value) {
  before_value();
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out_.append(digits, end);
  return *this;
}

JsonWriter& JsonWriter::number(double value) {
  before_value();
  // The shortest text that reads back as the same double, as nlohmann's (Grisu2) is; a whole
  // number keeps a ".0" and an exponent its sign, as nlohmann writes them.
  char digits[32];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  std::string_view text(digits, static_cast<std::size_t>(end - digits));
  if (text.find_first_of("einf") != std::string_view::npos) {
    out_ += json_text(nlohmann::json(value));  // an exponent, or not finite: nlohmann's own way
  } else {
    out_.append(text);
    if (text.find('.') == std::string_view::npos) out_ += ".0";
  }
  return *this;
}

}  // namespace sensoryd
