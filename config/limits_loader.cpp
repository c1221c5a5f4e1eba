#include "config/limits_loader.hpp"

#include "config/units.hpp"

namespace sensoryd::config {

namespace {

using namespace std::chrono_literals;

enum class Stricter { lower, higher };  // which direction tightens the limit

std::string format_value(double value) {
  return format_number(value);
}
std::string format_value(int value) {
  return std::to_string(value);
}
std::string format_value(Millis value) {
  return format_duration(value);
}

class LimitSection {
 public:
  LimitSection(const toml::table& table, std::string section, Limits& limits,
               Diagnostics& diagnostics)
      : reader_(table, "[limits." + section + "]", diagnostics),
        section_(std::move(section)),
        limits_(limits) {}

  template <typename T, typename Read>
  T limit(std::string_view key, T fallback, Stricter stricter, Read read) {
    std::string reason_key = std::string{key} + "_reason";
    auto reason = reader_.string(reason_key, Need::optional);
    std::optional<T> value = read(reader_, key);
    if (!value) {
      if (reason)
        reader_.error_at_key(reason_key, reason_key + " explains a loosened " + std::string{key} +
                                             ", which is not set");
      return fallback;
    }
    bool looser = stricter == Stricter::lower ? *value > fallback : *value < fallback;
    bool tighter = stricter == Stricter::lower ? *value < fallback : *value > fallback;
    std::string name = "limits." + section_ + "." + std::string{key};
    if (looser && !reason) {
      reader_.error_at_key(key, name + " = " + format_value(*value) +
                                    " is looser than the safety default " + format_value(fallback) +
                                    ": use a value " +
                                    (stricter == Stricter::lower ? "of at most " : "of at least ") +
                                    format_value(fallback) + ", or add " + reason_key +
                                    " = \"...\" saying why this room needs it");
      return fallback;
    }
    if (looser) {
      reader_.warning_at_key(key, name + " = " + format_value(*value) +
                                      " loosens the safety default " + format_value(fallback) +
                                      " (reason: " + *reason + ")");
      limits_.loosened.push_back({name, format_value(*value), *reason});
    } else if (tighter) {
      limits_.tightened.push_back(name);
    }
    if (reason && !looser) {
      reader_.error_at_key(reason_key, reason_key + " is set, but " + name +
                                           " does not loosen the default: remove the reason");
    }
    return *value;
  }

  double number(std::string_view key, double fallback, Stricter stricter, double min, double max) {
    return limit<double>(key, fallback, stricter, [&](TableReader& r, std::string_view k) {
      return r.number(k, Need::optional, min, max);
    });
  }
  int integer(std::string_view key, int fallback, Stricter stricter, int min, int max) {
    return limit<int>(key, fallback, stricter, [&](TableReader& r, std::string_view k) {
      auto v = r.integer(k, Need::optional, min, max);
      return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
    });
  }
  Millis duration(std::string_view key, Millis fallback, Stricter stricter, Millis min,
                  Millis max) {
    return limit<Millis>(key, fallback, stricter, [&](TableReader& r, std::string_view k) {
      return r.duration(k, Need::optional, min, max);
    });
  }
  TableReader& reader() { return reader_; }

  // A check's interval (S21): a duration, stricter when shorter, or "off", which loosens it
  // like any longer interval (a reason beside it).
  std::optional<Millis> interval(std::string_view key, Millis fallback, Millis min, Millis max) {
    const toml::node* node = reader_.node(key);
    if (node == nullptr || !node->is_string() || node->as_string()->get() != "off") {
      return duration(key, fallback, Stricter::lower, min, max);
    }
    std::string name = "limits." + section_ + "." + std::string{key};
    std::string reason_key = std::string{key} + "_reason";
    reader_.ignore(key);
    auto reason = reader_.string(reason_key, Need::optional);
    if (!reason) {
      reader_.error_at_key(key, name + " = \"off\" switches a safety check off: add " + reason_key +
                                    " = \"...\" saying why, or set an interval of " + "at most " +
                                    format_value(fallback));
      return fallback;
    }
    reader_.warning_at_key(key, name + " is off (reason: " + *reason + ")");
    limits_.loosened.push_back({name, "off", *reason});
    return std::nullopt;
  }

  // A requirement that only `<key> = false` with `<key>_reason` beside it switches off; warned
  // about at every start.
  bool requirement(std::string_view key, const std::string& loosening, const std::string& what) {
    std::string name = "limits." + section_ + "." + std::string{key};
    std::string reason_key = std::string{key} + "_reason";
    auto required = reader_.boolean(key, Need::optional);
    auto reason = reader_.string(reason_key, Need::optional);
    if (required != false) {
      if (reason) {
        reader_.error_at_key(reason_key, reason_key + " is set, but " + name +
                                             " is not switched off: remove the reason");
      }
      return true;
    }
    if (!reason) {
      reader_.error_at_key(key, name + " = false " + loosening + ": add " + reason_key +
                                    " = \"...\" saying why, or remove it");
      return true;
    }
    reader_.warning_at_key(key, what + " is off (reason: " + *reason + ")");
    limits_.loosened.push_back({name, "false", *reason});
    return false;
  }
  void finish() { reader_.finish(); }

 private:
  TableReader reader_;
  std::string section_;
  Limits& limits_;
};

}  // namespace

void read_limits(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* limits_table = root.table("limits", Need::optional);
  if (limits_table == nullptr) return;
  TableReader reader(*limits_table, "[limits]", diagnostics);
  Limits& l = room.limits;
  using S = Stricter;
  if (const toml::table* t = reader.table("swing", Need::optional)) {
    LimitSection s(*t, "swing", l, diagnostics);
    l.swing.max_amplitude_deg = s.number("max_amplitude_deg", 30.0, S::lower, 1.0, 60.0);
    l.swing.min_period_s = s.number("min_period_s", 2.0, S::higher, 0.5, 60.0);
    l.swing.max_amplitude_rate_deg_s =
        s.number("max_amplitude_rate_deg_s", 3.0, S::lower, 0.1, 20.0);
    l.swing.max_period_rate_s_per_s = s.number("max_period_rate_s_per_s", 1.0, S::lower, 0.05, 5.0);
    // A property of the drive (how fast it can take amplitude out), not a comfort limit.
    l.swing.max_deceleration_deg_s =
        s.reader().number("max_deceleration_deg_s", Need::optional, 1.0, 60.0).value_or(10.0);
    s.finish();
  }
  if (const toml::table* t = reader.table("rotary", Need::optional)) {
    LimitSection s(*t, "rotary", l, diagnostics);
    l.rotary.max_rate_rev_s = s.number("max_rate_rev_s", 0.5, S::lower, 0.05, 2.0);
    l.rotary.max_revolutions = s.integer("max_revolutions", 10, S::lower, 1, 50);
    l.rotary.min_pause_s = s.number("min_pause_s", 10.0, S::higher, 0.0, 120.0);
    l.rotary.max_accel_rev_s2 = s.number("max_accel_rev_s2", 0.25, S::lower, 0.02, 2.0);
    s.finish();
  }
  if (const toml::table* t = reader.table("light", Need::optional)) {
    LimitSection s(*t, "light", l, diagnostics);
    l.light.max_flashes_per_s = s.integer("max_flashes_per_s", 3, S::lower, 0, 10);
    l.light.max_strobe = s.duration("max_strobe", 30s, S::lower, 0s, 10min);
    s.finish();
  }
  if (const toml::table* t = reader.table("sound", Need::optional)) {
    LimitSection s(*t, "sound", l, diagnostics);
    l.sound.max_dba = s.number("max_dba", 75.0, S::lower, 30.0, 100.0);
    l.sound.max_rise_db_s = s.number("max_rise_db_s", 6.0, S::lower, 0.5, 30.0);
    l.sound.mute_fade = s.duration("mute_fade", 1s, S::lower, 0s, 5s);
    s.finish();
  }
  if (const toml::table* t = reader.table("session", Need::optional)) {
    LimitSection s(*t, "session", l, diagnostics);
    l.session.max_duration = s.duration("max_duration", 60min, S::lower, 1min, 4h);
    l.session.max_command_age = s.duration("max_command_age", 5s, S::lower, 1s, 60s);
    l.session.lease = s.duration("lease", 10s, S::lower, 2s, 120s);
    // Supervision can be switched off only with a reason (S13); the daemon warns at start.
    l.session.lease_required = s.requirement(
        "lease_required", "lets motion run without a therapist's tablet", "the supervision lease");
    s.finish();
  }
  if (const toml::table* t = reader.table("devices", Need::optional)) {
    LimitSection s(*t, "devices", l, diagnostics);
    l.devices.lost_after_polls = s.integer("lost_after_polls", 3, S::lower, 1, 20);
    l.devices.safety_input_poll = s.duration("safety_input_poll", 20ms, S::lower, 5ms, 200ms);
    // S20: a room with a swing and no monitored E-stop, only with a reason.
    l.devices.estop_required = s.requirement(
        "estop_required", "lets a swing run with no E-stop input", "the E-stop requirement");
    s.finish();
  }
  if (const toml::table* t = reader.table("checks", Need::optional)) {
    LimitSection s(*t, "checks", l, diagnostics);
    // S21: at least daily, as EN 1176-7 asks where use is heavy; from an hour to a year.
    l.checks.estop_interval = s.interval("estop_interval", 24h, 1h, 366 * 24h);
    l.checks.door_interval = s.interval("door_interval", 24h, 1h, 366 * 24h);
    // S22: off by default; a room that sets it refuses motion until the current configuration
    // is signed off.
    l.checks.require_validation =
        s.reader().boolean("require_validation", Need::optional).value_or(false);
    s.finish();
  }
  reader.finish();
}

}  // namespace sensoryd::config
