// sensoryctl: a command-line client of the sensoryd MQTT API for technicians and testers.
// Sends one command and prints its reply, or prints the room's state, or watches it.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include <nlohmann/json.hpp>

#include "config/profile_form.hpp"
#include "sensoryctl/ctl_args.hpp"
#include "sensoryctl/room_client.hpp"

namespace {

using json = nlohmann::json;
using sensoryd::ctl::CtlRequest;
using sensoryd::ctl::RoomClient;

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 64;
constexpr int kUnavailable = 69;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

json parsed(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

// A profile's file as the `profile` of a command: a .toml profile file turned into its JSON
// form, or a JSON form as it is; nullopt (after saying why) when it cannot be read as either.
std::optional<json> profile_from_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "sensoryctl: cannot read " << file << "\n";
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bool toml = file.size() > 5 && file.compare(file.size() - 5, 5, ".toml") == 0;
  std::optional<json> form = toml ? sensoryd::config::profile_form_from_toml(text)
                                  : std::optional<json>(json::parse(text, nullptr, false));
  if (!form || form->is_discarded() || !form->is_object()) {
    std::cerr << "sensoryctl: " << file << " is not a profile or plan: give its JSON form, or "
              << "its .toml (docs/profiles.md)\n";
    return std::nullopt;
  }
  return form;
}

// What a profile command's reply says beyond ok: versions, a version's content, warnings.
void print_profile_reply(const json& j) {
  if (j.contains("version")) std::cout << "  version " << j["version"] << "\n";
  if (j.contains("sha256")) std::cout << "  sha256 " << j.value("sha256", "") << "\n";
  for (const auto& v : j.value("versions", json::array())) {
    std::cout << "  version " << v.value("version", 0)
              << (v.value("deleted", false) ? "  (deleted)" : "  sha256 " + v.value("sha256", ""))
              << "\n";
  }
  for (const auto& w : j.value("warnings", json::array())) {
    std::cout << "  warning at " << w.value("pointer", "") << ": " << w.value("message", "")
              << "\n";
  }
  if (j.contains("profile")) std::cout << j["profile"].dump(2) << "\n";
  if (j.contains("plan")) std::cout << j["plan"].dump(2) << "\n";
  if (j.contains("samples")) {  // a preview: its length, end, widest swing, limits and dose
    double widest = 0.0;
    for (const auto& a : j["samples"]["swing"].value("amplitude_deg", json::array())) {
      widest = std::max(widest, a.get<double>());
    }
    std::cout << "  " << j.value("duration_s", 0.0) << " s, ended " << j.value("ended", "")
              << ", swing at most " << widest << " deg\n";
    if (!j.value("approved", true)) std::cout << "  " << j.value("not_approved", "") << "\n";
    for (const auto& e : j.value("events", json::array())) {
      if (e.value("type", "") != "limit_clamped") continue;
      std::cout << "  at " << e.value("t", 0.0) << " s: " << e.value("channel", "") << " held by "
                << e.value("by", "") << "'s " << e.value("limit", "") << "\n";
    }
    std::cout << "  dose " << j["dose"].dump() << "\n";
  }
}

std::string one_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

void print_session(const json& s) {
  std::string state = s.value("state", "unknown");
  std::cout << "session: " << state;
  if (state != "idle") {
    std::cout << " " << s.value("profile", "?");
    if (s.contains("step") && s["step"].is_object()) {
      const auto& step = s["step"];
      std::cout << ", step " << step.value("index", -1) << " " << step.value("name", "");
      if (step["remaining_s"].is_number()) {
        std::cout << " (" << one_decimal(step["remaining_s"].get<double>()) << " s left)";
      } else {
        std::cout << " (waiting for go)";
      }
    }
    std::cout << ", intensity " << one_decimal(s.value("intensity", 1.0));
    if (s["child"].is_string()) std::cout << ", child " << s["child"].get<std::string>();
  }
  std::cout << "\n";
}

void print_safety(const json& s) {
  std::cout << "safety: "
            << (s.value("motion_allowed", false) ? "motion allowed"
                : s.value("tripped", false)      ? "TRIPPED"
                                                 : "motion held");
  for (const auto& c : s.value("causes", json::array())) {
    std::cout << "\n  " << c.value("cause", "?") << (c.value("active", false) ? "" : " (gone)")
              << ": " << c.value("detail", "");
  }
  if (s.value("reset_possible", false)) std::cout << "\n  reset possible: sensoryctl reset";
  if (s["lease_remaining_s"].is_number()) {
    std::cout << "\n  lease: " << one_decimal(s["lease_remaining_s"].get<double>()) << " s left";
  }
  if (s.contains("detail")) std::cout << "\n  " << s.value("detail", "");
  // S21: each E-stop and door check; S22: the validation.
  for (const auto& c : s.value("checks", json::array())) {
    std::cout << "\n  check " << c.value("input", "?") << ": ";
    if (c["interval_s"].is_null()) {
      std::cout << "off";
    } else if (c.value("due", false)) {
      std::cout << "DUE (sensoryctl check " << c.value("input", "?") << ", then press and release)";
    } else {
      std::cout << "due " << c.value("due_at", "?");
    }
    if (c["last"].is_object()) {
      const auto& last = c["last"];
      std::cout << "; last " << last.value("at", "?") << " by "
                << (last["by"].is_string() ? last["by"].get<std::string>() : "use") << ", "
                << one_decimal(last.value("press_to_stop_ms", 0.0)) << " ms";
    }
  }
  if (s.contains("validation") && s["validation"].is_object()) {
    const auto& v = s["validation"];
    std::cout << "\n  validation: ";
    if (!v["last"].is_object()) {
      std::cout << "never signed";
    } else if (v.value("current", false)) {
      std::cout << "signed by " << v["last"].value("by", "?") << " at "
                << v["last"].value("at", "?");
    } else {
      std::cout << "OUTDATED since " << v.value("outdated_since", "?") << " (signed by "
                << v["last"].value("by", "?") << ")";
    }
    if (v.value("required", false) && !v.value("current", false)) {
      std::cout << "; required: sessions are refused until it is signed";
    }
  }
  std::cout << "\n";
}

void print_device(const std::string& id, const json& d) {
  std::cout << "  " << id << " (" << d.value("kind", "?") << "): " << d.value("health", "?");
  if (d.contains("amplitude_deg")) std::cout << ", amplitude " << d["amplitude_deg"] << " deg";
  if (d.contains("active")) std::cout << (d.value("active", false) ? ", active" : ", inactive");
  if (d.contains("detail")) std::cout << " (" << d.value("detail", "") << ")";
  std::cout << "\n";
}

int status(RoomClient& client, const CtlRequest& request) {
  auto state = client.retained_state(request.timeout);
  if (!state) {
    std::cerr << "sensoryctl: "
              << (client.error().empty() ? "the broker did not answer in time" : client.error())
              << "\n";
    return kUnavailable;
  }
  auto availability = state->find("availability");
  if (availability == state->end()) {
    std::cerr << "sensoryctl: nothing from room '" << request.room << "' on " << request.broker
              << ": is sensoryd running, and is the room id right (--room)?\n";
    return kUnavailable;
  }
  std::cout << "room " << request.room << ": " << availability->second << "\n";
  if (auto it = state->find("session"); it != state->end()) print_session(parsed(it->second));
  if (auto it = state->find("safety"); it != state->end()) print_safety(parsed(it->second));
  std::cout << "devices:\n";
  for (const auto& [topic, payload] : *state) {
    if (topic.rfind("devices/", 0) == 0) print_device(topic.substr(8), parsed(payload));
  }
  return kDone;
}

int command(RoomClient& client, const CtlRequest& request) {
  auto reply = client.request(request.action, request.body, request.timeout);
  if (!reply && !client.error().empty()) {
    std::cerr << "sensoryctl: " << client.error() << "\n";
    return kUnavailable;
  }
  if (!reply) {
    std::cerr << "sensoryctl: no reply from room '" << request.room << "' within "
              << std::chrono::duration<double>(request.timeout).count()
              << " s: is sensoryd running, and is the room id right (--room)?\n";
    return kUnavailable;
  }
  json j = parsed(*reply);
  if (j.value("ok", false)) {
    std::cout << request.action << ": ok";
    if (j.contains("session_id")) std::cout << " (session " << j.value("session_id", "") << ")";
    std::cout << "\n";
    print_profile_reply(j);
    return kDone;
  }
  const json& error = j.contains("error") ? j["error"] : json::object();
  std::cerr << request.action << ": refused (" << error.value("code", "?")
            << "): " << error.value("message", "") << "\n";
  // A profile's every error at its field (invalid_profile).
  for (const auto& field : error.value("fields", json::array())) {
    std::cerr << "  at " << field.value("pointer", "") << ": " << field.value("message", "")
              << "\n";
  }
  return kRefused;
}

int watch(RoomClient& client, const CtlRequest& request) {
  int seen = 0;
  client.watch(
      [&](const sensoryd::ctl::Message& m) {
        std::cout << m.topic << (m.retained ? " (retained) " : " ") << m.payload << std::endl;
        return request.watch_count == 0 || ++seen < request.watch_count;
      },
      [] { return g_stop != 0; });
  if (!client.error().empty()) {
    std::cerr << "sensoryctl: " << client.error() << "\n";
    return kUnavailable;
  }
  return kDone;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << sensoryd::ctl::usage();
    return kDone;
  }
  auto parsed_args = sensoryd::ctl::parse_args(args);
  if (auto* error = std::get_if<sensoryd::ctl::UsageError>(&parsed_args)) {
    std::cerr << "sensoryctl: " << error->message << "\n" << sensoryd::ctl::usage();
    return kUsage;
  }
  auto& request = std::get<CtlRequest>(parsed_args);
  if (!request.profile_file.empty()) {
    auto form = profile_from_file(request.profile_file);
    if (!form) return kUsage;
    json body = parsed(request.body);
    body[request.form_key] = std::move(*form);
    request.body = body.dump();
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  sensoryd::ctl::Credentials credentials{request.username, {}, request.ca_file};
  if (!request.password_file.empty()) {
    std::ifstream in(request.password_file);
    if (!std::getline(in, credentials.password) || credentials.password.empty()) {
      std::cerr << "sensoryctl: cannot read a password from " << request.password_file << "\n";
      return kUsage;
    }
  }
  RoomClient client(request.broker, request.room, credentials);
  if (!client.connect(request.timeout)) {
    std::cerr << "sensoryctl: cannot reach the broker at " << request.broker << ": "
              << client.error() << "\n";
    return kUnavailable;
  }
  if (request.action == "status") return status(client, request);
  if (request.action == "watch") return watch(client, request);
  return command(client, request);
}
