#include "config/units.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <sstream>
#include <utility>

namespace sensoryd::config {

namespace {

std::optional<double> leading_number(std::string_view text, std::string_view& rest) {
  std::size_t end = text.find_first_not_of("0123456789.");
  if (end == 0) return std::nullopt;
  if (end == std::string_view::npos) end = text.size();
  double value = 0.0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
  if (ec != std::errc{} || ptr != text.data() + end || !std::isfinite(value)) return std::nullopt;
  rest = text.substr(end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return value;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<std::pair<std::string_view, Rgb>, 14> kNamedColors{{
    {"black", {0, 0, 0}},
    {"white", {255, 255, 255}},
    {"warm-white", {255, 176, 96}},
    {"red", {255, 0, 0}},
    {"orange", {255, 120, 0}},
    {"amber", {255, 160, 0}},
    {"yellow", {255, 220, 0}},
    {"green", {0, 200, 60}},
    {"teal", {0, 160, 150}},
    {"cyan", {0, 220, 255}},
    {"blue", {0, 60, 255}},
    {"purple", {120, 40, 200}},
    {"magenta", {255, 0, 200}},
    {"pink", {255, 110, 170}},
}};

}  // namespace

std::optional<Rgb> parse_color(std::string_view text) {
  if (text.size() == 7 && text[0] == '#') {
    int digits[6];
    for (int i = 0; i < 6; ++i) {
      digits[i] = hex_digit(text[static_cast<std::size_t>(i) + 1]);
      if (digits[i] < 0) return std::nullopt;
    }
    return Rgb{static_cast<std::uint8_t>(digits[0] * 16 + digits[1]),
               static_cast<std::uint8_t>(digits[2] * 16 + digits[3]),
               static_cast<std::uint8_t>(digits[4] * 16 + digits[5])};
  }
  for (const auto& [name, rgb] : kNamedColors) {
    if (name == text) return rgb;
  }
  return std::nullopt;
}

std::optional<double> parse_percent(std::string_view text) {
  std::string_view rest;
  auto value = leading_number(text, rest);
  if (!value || rest != "%" || *value > 100.0) return std::nullopt;
  return value;
}

std::string format_number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

std::string format_duration(std::chrono::milliseconds value) {
  auto ms = value.count();
  if (ms >= 86'400'000 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms >= 60'000 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

bool is_plain_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::optional<double> parse_decibels(std::string_view text) {
  std::string_view rest;
  auto value = leading_number(text, rest);
  if (!value || (rest != "dB" && rest != "dBA")) return std::nullopt;
  return value;
}

}  // namespace sensoryd::config
