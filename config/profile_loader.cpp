#include "config/profile_loader.hpp"

#include <array>
#include <string>

#include "config/table_reader.hpp"

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 4> kPurposes{"calming", "alerting", "organising", "play"};

std::string one_decimal(double value) {
  std::string text = std::to_string(value);
  return text.substr(0, text.find('.') + 2);
}

std::optional<SwingSetting> read_swing(const toml::table& table, const std::string& where,
                                       const SwingLimits& limits, Diagnostics& diagnostics) {
  TableReader reader(table, where, diagnostics);
  SwingSetting swing;
  bool ok = true;
  auto mode = reader.string("mode", true);
  if (!mode) {
    ok = false;
  } else if (*mode == "off") {
    swing.mode = SwingMode::off;
  } else if (*mode == "linear") {
    swing.mode = SwingMode::linear;
  } else if (*mode == "rotary") {
    reader.error_at_key("mode",
                        "rotary swing is not supported by this version of sensoryd: use "
                        "\"linear\" or \"off\" in " +
                            where);
    ok = false;
  } else {
    reader.error_at_key("mode",
                        "'mode' in " + where + " is \"" + *mode + "\": use \"off\" or \"linear\"");
    ok = false;
  }
  bool moving = ok && swing.mode != SwingMode::off;
  auto amplitude = reader.number("amplitude_deg", moving, 0.0, 360.0);
  auto period = reader.duration("period", moving, 100ms, 600'000ms);
  if (moving && amplitude) {
    if (*amplitude > limits.max_amplitude_deg) {
      reader.error_at_key("amplitude_deg",
                          "swing amplitude " + one_decimal(*amplitude) + " deg in " + where +
                              " exceeds the room limit limits.swing.max_amplitude_deg = " +
                              one_decimal(limits.max_amplitude_deg) + ": lower the amplitude");
      ok = false;
    }
    swing.amplitude_deg = *amplitude;
  }
  if (moving && period) {
    double period_s = static_cast<double>(period->count()) / 1000.0;
    if (period_s < limits.min_period_s) {
      reader.error_at_key("period", "swing period " + one_decimal(period_s) + "s in " + where +
                                        " is shorter than the room limit limits.swing.min_period_s "
                                        "= " +
                                        one_decimal(limits.min_period_s) +
                                        ": make the period longer");
      ok = false;
    }
    swing.period_s = period_s;
  }
  if (moving && (!amplitude || !period)) ok = false;
  reader.finish();
  if (!ok) return std::nullopt;
  return swing;
}

}  // namespace

std::optional<Profile> load_profile(std::string_view toml_text, const std::filesystem::path& name,
                                    const SwingLimits& limits, Diagnostics& diagnostics) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view{name.string()});
  } catch (const toml::parse_error& e) {
    diagnostics.errors.push_back(
        diagnostic_at(e.source(), "TOML syntax error: " + std::string{e.description()}));
    return std::nullopt;
  }
  std::size_t errors_before = diagnostics.errors.size();
  TableReader reader(root, "profile " + name.filename().string(), diagnostics);
  Profile profile;
  profile.source = name;
  profile.id = reader.string("id", true).value_or("");
  std::string where = "profile '" + profile.id + "'";
  profile.title = reader.string("title", true).value_or("");
  if (auto purpose = reader.string("purpose", true)) {
    bool known = false;
    for (auto p : kPurposes) known = known || *purpose == p;
    if (!known) {
      reader.error_at_key("purpose", "'purpose' of " + where + " is \"" + *purpose +
                                         "\": use calming, alerting, organising or play");
    }
    profile.purpose = *purpose;
  }
  if (const toml::array* steps = reader.array("steps", true)) {
    if (steps->empty()) {
      reader.error_at_key("steps", where + " has no steps: add at least one [[steps]] table");
    }
    int index = 0;
    for (const toml::node& node : *steps) {
      ++index;
      std::string step_where = "step " + std::to_string(index) + " of " + where;
      if (!node.is_table()) {
        reader.error_at(node.source(), step_where + " must be a table: write it as [[steps]]");
        continue;
      }
      TableReader step_reader(*node.as_table(), step_where, diagnostics);
      Step step;
      step.name = step_reader.string("name", true).value_or("");
      if (!step.name.empty()) step_where = "step '" + step.name + "' of " + where;
      step.duration = step_reader.duration("duration", true, 1s, 24h).value_or(0ms);
      step.fade = step_reader.duration("fade", false, 0ms, 24h).value_or(0ms);
      if (step.fade > step.duration && step.duration > 0ms) {
        step_reader.error_at_key("fade", "the fade of " + step_where +
                                             " is longer than its duration: shorten the fade "
                                             "or lengthen the step");
      }
      if (const toml::table* swing = step_reader.table("swing", true)) {
        if (auto setting = read_swing(*swing, "the swing of " + step_where, limits, diagnostics)) {
          step.swing = *setting;
        }
      }
      step_reader.finish();
      profile.steps.push_back(std::move(step));
    }
  }
  reader.finish();
  if (diagnostics.errors.size() != errors_before) return std::nullopt;
  return profile;
}

}  // namespace sensoryd::config
