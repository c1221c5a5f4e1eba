#include "daemon/record/session_export.hpp"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "config/fingerprint.hpp"
#include "daemon/record/dose.hpp"
#include "daemon/session/json_text.hpp"

namespace sensoryd {

namespace {

using json = nlohmann::json;

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string text_of(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return json_text(value);
}

// The session's dose, read through its type; none when the session has none (it never
// ended, or its log is older than doses).
std::optional<LoggedDose> dose_of(const LoggedSession& s) {
  return s.dose.empty() ? std::nullopt : read_dose(s.dose);
}

// A figure of a dose as the log wrote it (a count stays whole, seconds keep their decimals).
using DoseValue = json (*)(const Dose&);

// The dose figures in the CSV, each with its column.
const std::vector<std::pair<std::string, DoseValue>>& dose_columns() {
  static const std::vector<std::pair<std::string, DoseValue>> columns{
      {"duration_s", [](const Dose& d) { return json(d.duration_s); }},
      {"time_in_motion_s", [](const Dose& d) { return json(d.time_in_motion_s); }},
      {"linear_s", [](const Dose& d) { return json(d.linear_s); }},
      {"oscillations", [](const Dose& d) { return json(d.oscillations); }},
      {"mean_amplitude_deg", [](const Dose& d) { return json(d.mean_amplitude_deg); }},
      {"time_weighted_amplitude_deg",
       [](const Dose& d) { return json(d.time_weighted_amplitude_deg); }},
      {"peak_amplitude_deg", [](const Dose& d) { return json(d.peak_amplitude_deg); }},
      {"rotary_s", [](const Dose& d) { return json(d.rotary_s); }},
      {"revolutions_clockwise", [](const Dose& d) { return json(d.revolutions_clockwise); }},
      {"revolutions_counterclockwise",
       [](const Dose& d) { return json(d.revolutions_counterclockwise); }},
      {"peak_rate_rev_s", [](const Dose& d) { return json(d.peak_rate_rev_s); }},
      {"rotary_pauses", [](const Dose& d) { return json(d.rotary_pauses); }},
      {"sound_playing_s", [](const Dose& d) { return json(d.sound_playing_s); }},
      {"sound_leq_dba", [](const Dose& d) { return json(d.sound_leq_dba); }},
      {"sound_peak_dba", [](const Dose& d) { return json(d.sound_peak_dba); }},
      {"paused_s", [](const Dose& d) { return json(d.paused_s); }},
      {"tripped_s", [](const Dose& d) { return json(d.tripped_s); }},
      {"clamped_s", [](const Dose& d) { return json(d.clamped_s); }}};
  return columns;
}

std::string export_csv(const std::vector<LoggedSession>& sessions) {
  std::string csv =
      "session_id,child,profile,therapist,intensity,started,ended,end_reason,steps,pauses,"
      "adjustments,clamps,trips";
  for (const auto& [column, value] : dose_columns()) csv += "," + column;
  csv += ",dose_source,light_lit_s,flashes,response_before,response_after,notes\n";
  for (const auto& s : sessions) {
    auto logged = dose_of(s);
    std::vector<std::string> fields{s.id,
                                    s.child,
                                    s.profile,
                                    s.therapist,
                                    text_of(json(s.intensity)),
                                    s.started,
                                    s.ended,
                                    s.end_reason,
                                    std::to_string(s.steps),
                                    std::to_string(s.pauses),
                                    std::to_string(s.adjustments),
                                    std::to_string(s.clamps),
                                    std::to_string(s.trips)};
    for (const auto& [column, value] : dose_columns()) {
      fields.push_back(logged ? text_of(value(logged->dose)) : "");
    }
    fields.push_back(logged ? logged->source : "");
    // Light over all fixtures: the longest any was lit, and every flash.
    json lit = nullptr;
    json flashes = nullptr;
    if (logged) {
      double longest = 0.0;
      long long total = 0;
      for (const auto& light : logged->dose.lights) {
        longest = std::max(longest, light.lit_s);
        total += light.flashes;
      }
      lit = longest;
      flashes = total;
    }
    fields.push_back(text_of(lit));
    fields.push_back(text_of(flashes));
    auto before = s.latest(&SessionResponse::before);
    auto after = s.latest(&SessionResponse::after);
    fields.push_back(before ? std::to_string(*before) : "");
    fields.push_back(after ? std::to_string(*after) : "");
    std::string notes;
    for (const auto& note : s.notes) notes += (notes.empty() ? "" : "\n") + note.text;
    fields.push_back(notes);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      csv += (i == 0 ? "" : ",") + csv_field(fields[i]);
    }
    csv += "\n";
  }
  return csv;
}

std::string export_json(const std::vector<LoggedSession>& sessions) {
  json out = json::array();
  for (const auto& s : sessions) {
    json records = json::array();
    for (const auto& line : s.records) records.push_back(json::parse(line, nullptr, false));
    out.push_back({{"session_id", s.id},
                   {"child", s.child},
                   {"profile", s.profile},
                   {"therapist", s.therapist},
                   {"intensity", s.intensity},
                   {"started", s.started},
                   {"ended", s.ended.empty() ? json(nullptr) : json(s.ended)},
                   {"end_reason", s.end_reason.empty() ? json(nullptr) : json(s.end_reason)},
                   {"dose", s.dose.empty() ? json(nullptr) : json::parse(s.dose, nullptr, false)},
                   {"records", records}});
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// --- FHIR R4 -------------------------------------------------------------------------------

constexpr const char* kUcum = "http://unitsofmeasure.org";
constexpr const char* kSessionSystem = "urn:sensoryd:session";
constexpr const char* kChildSystem = "urn:sensoryd:child";
constexpr const char* kTherapistSystem = "urn:sensoryd:therapist";
constexpr const char* kDoseSystem = "urn:sensoryd:dose";
constexpr const char* kResponseSystem = "urn:sensoryd:response";

// A stable urn:uuid for a resource (its session and what it is), so that exporting the same
// session twice gives the same identities: name-based, from SHA-256, laid out as a version-5
// style UUID.
std::string resource_uuid(const std::string& name) {
  config::Sha256Digest digest = config::sha256(name);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);
  std::string out = "urn:uuid:";
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(hex, sizeof hex, "%02x", digest[static_cast<std::size_t>(i)]);
    out += hex;
  }
  return out;
}

json patient(const std::string& child) {
  // The child's pseudonym only, as a logical reference the records system resolves.
  return {{"type", "Patient"},
          {"identifier", {{"system", kChildSystem}, {"value", child}}},
          {"display", child}};
}

json practitioner(const std::string& therapist) {
  return {{"type", "Practitioner"},
          {"identifier", {{"system", kTherapistSystem}, {"value", therapist}}},
          {"display", therapist}};
}

std::string procedure_status(const LoggedSession& s) {
  if (s.ended.empty()) return "in-progress";
  // A session that ran its course, or that the therapist ended (after its wind-down).
  if (s.end_reason == "completed" || s.end_reason == "stopped") return "completed";
  return "stopped";  // an E-stop, a trip, the length cap, a shutdown or a kill cut it short
}

// What a dose part ran for: a figure of the part is reported only when it did.
using DosePart = double (*)(const Dose&);
constexpr DosePart kAlways = nullptr;
double linear_part(const Dose& d) {
  return d.linear_s;
}
double rotary_part(const Dose& d) {
  return d.rotary_s;
}
double sound_part(const Dose& d) {
  return d.sound_playing_s;
}
double pauses_part(const Dose& d) {
  return d.pauses;
}
double clamps_part(const Dose& d) {
  return d.clamps;
}

struct DoseFigure {
  DoseValue value;
  const char* code;
  const char* text;
  const char* unit;  // as shown
  const char* ucum;  // UCUM code
  DosePart needs;    // the part of the dose it belongs to: reported only when that part ran
};

// The dose components reported as Observations (docs/clinical-record.md).
const std::array<DoseFigure, 16> kDoseFigures{{
    {[](const Dose& d) { return json(d.duration_s); }, "duration", "Session duration", "s", "s",
     kAlways},
    {[](const Dose& d) { return json(d.time_in_motion_s); }, "time-in-motion",
     "Time in motion (vestibular input)", "s", "s", kAlways},
    {[](const Dose& d) { return json(d.oscillations); }, "linear-oscillations",
     "Linear swing: oscillations", "{oscillations}", "{oscillations}", linear_part},
    {[](const Dose& d) { return json(d.mean_amplitude_deg); }, "linear-mean-amplitude",
     "Linear swing: mean amplitude per oscillation", "deg", "deg", linear_part},
    {[](const Dose& d) { return json(d.time_weighted_amplitude_deg); },
     "linear-time-weighted-amplitude", "Linear swing: time-weighted amplitude", "deg", "deg",
     linear_part},
    {[](const Dose& d) { return json(d.peak_amplitude_deg); }, "linear-peak-amplitude",
     "Linear swing: peak amplitude", "deg", "deg", linear_part},
    {[](const Dose& d) { return json(d.revolutions_clockwise); }, "rotary-revolutions-clockwise",
     "Rotary: revolutions clockwise", "revolutions", "circ", rotary_part},
    {[](const Dose& d) { return json(d.revolutions_counterclockwise); },
     "rotary-revolutions-counterclockwise", "Rotary: revolutions counterclockwise", "revolutions",
     "circ", rotary_part},
    {[](const Dose& d) { return json(d.peak_rate_rev_s); }, "rotary-peak-rate", "Rotary: peak rate",
     "revolutions/s", "circ/s", rotary_part},
    {[](const Dose& d) { return json(d.rotary_pauses); }, "rotary-pauses", "Rotary: pauses",
     "{pauses}", "{pauses}", rotary_part},
    {[](const Dose& d) { return json(d.sound_leq_dba); }, "sound-leq",
     "Sound: equivalent continuous level at the listener (Leq)", "dB(A)", "dB", sound_part},
    {[](const Dose& d) { return json(d.sound_peak_dba); }, "sound-peak",
     "Sound: peak level at the listener", "dB(A)", "dB", sound_part},
    {[](const Dose& d) { return json(d.paused_s); }, "paused-time", "Time paused", "s", "s",
     pauses_part},
    {[](const Dose& d) { return json(d.trips); }, "interlock-trips", "Safety interlock trips",
     "{trips}", "{trips}", kAlways},
    {[](const Dose& d) { return json(d.clamps); }, "limit-clamps",
     "Outputs held back by a safety limit", "{clamps}", "{clamps}", kAlways},
    {[](const Dose& d) { return json(d.clamped_s); }, "limit-clamped-time",
     "Time an output was held back by a safety limit", "s", "s", clamps_part},
}};

json observation(const LoggedSession& s, const std::string& procedure_url, json code,
                 const std::string& category) {
  json o{
      {"resourceType", "Observation"},
      {"status", "final"},
      {"category", json::array({{{"coding", json::array({{{"system",
                                                           "http://terminology.hl7.org/CodeSystem/"
                                                           "observation-category"},
                                                          {"code", category}}})}}})},
      {"code", std::move(code)},
      {"subject", patient(s.child)},
      {"partOf", json::array({{{"reference", procedure_url}}})}};
  return o;
}

json entry(const std::string& url, json resource) {
  return {{"fullUrl", url}, {"resource", std::move(resource)}};
}

std::string export_fhir(const std::vector<LoggedSession>& sessions,
                        const std::string& exported_at) {
  json entries = json::array();
  for (const auto& s : sessions) {
    std::string procedure_url = resource_uuid(s.id + "/procedure");
    json procedure{
        {"resourceType", "Procedure"},
        {"identifier", json::array({{{"system", kSessionSystem}, {"value", s.id}}})},
        {"status", procedure_status(s)},
        {"code", {{"text", "Sensory integration therapy session: profile " + s.profile}}},
        {"subject", patient(s.child)}};
    json period{{"start", s.started}};
    if (!s.ended.empty()) period["end"] = s.ended;
    procedure["performedPeriod"] = period;
    if (!s.therapist.empty()) {
      procedure["performer"] = json::array({{{"actor", practitioner(s.therapist)}}});
    }
    if (procedure["status"] == "stopped") procedure["statusReason"] = {{"text", s.end_reason}};
    if (!s.notes.empty()) {
      json notes = json::array();
      for (const auto& note : s.notes) {
        json annotation{{"time", note.ts}, {"text", note.text}};
        if (!note.therapist.empty()) annotation["authorString"] = note.therapist;
        notes.push_back(annotation);
      }
      procedure["note"] = notes;
    }
    entries.push_back(entry(procedure_url, procedure));

    auto logged = dose_of(s);
    if (logged && !s.ended.empty()) {
      for (const auto& f : kDoseFigures) {
        if (f.needs != kAlways && !(f.needs(logged->dose) > 0.0)) continue;
        json o =
            observation(s, procedure_url,
                        {{"coding", json::array({{{"system", kDoseSystem}, {"code", f.code}}})},
                         {"text", f.text}},
                        "therapy");
        o["effectivePeriod"] = {{"start", s.started}, {"end", s.ended}};
        o["valueQuantity"] = {{"value", f.value(logged->dose)},
                              {"unit", f.unit},
                              {"system", kUcum},
                              {"code", f.ucum}};
        if (logged->source == kDoseFromTimeSeries) {
          o["note"] = json::array(
              {{{"text", "from the session's 1 Hz time series: sensoryd stopped during it"}}});
        }
        entries.push_back(entry(resource_uuid(s.id + "/dose/" + f.code), o));
      }
    }

    int n = 0;
    for (const auto& r : s.responses) {
      ++n;
      auto add = [&](const char* code, const std::string& text, int value) {
        json o =
            observation(s, procedure_url,
                        {{"coding", json::array({{{"system", kResponseSystem}, {"code", code}}})},
                         {"text", text}},
                        "therapy");
        o["effectiveDateTime"] = r.ts;
        if (!r.therapist.empty()) o["performer"] = json::array({practitioner(r.therapist)});
        o["valueInteger"] = value;
        entries.push_back(
            entry(resource_uuid(s.id + "/response/" + std::to_string(n) + "/" + code), o));
      };
      const std::string scale = " (1 under-responsive, 3 regulated, 5 over-responsive)";
      if (r.before) add("regulation-before", "Regulation before the session" + scale, *r.before);
      if (r.after) add("regulation-after", "Regulation after the session" + scale, *r.after);
      if (r.goal_progress) {
        add("goal-attainment", "Goal attainment (-2 to +2): " + r.goal, *r.goal_progress);
      }
    }
  }
  json bundle{{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", entries}};
  if (!exported_at.empty()) bundle["timestamp"] = exported_at;
  return bundle.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string export_child_sessions(const std::vector<std::string>& records, const std::string& child,
                                  ExportFormat format, const Period& period,
                                  const std::string& exported_at) {
  auto sessions = child_sessions(records, child, period);
  switch (format) {
    case ExportFormat::json:
      return export_json(sessions);
    case ExportFormat::fhir:
      return export_fhir(sessions, exported_at);
    case ExportFormat::csv:
      break;
  }
  return export_csv(sessions);
}

}  // namespace sensoryd
