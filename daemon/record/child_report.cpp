#include "daemon/record/child_report.hpp"

#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "daemon/record/dose.hpp"

namespace sensoryd {

namespace {

struct Figures {
  bool has_dose = false;
  double duration_s = 0.0;
  double motion_s = 0.0;
  double oscillations = 0.0;
  double mean_amplitude_deg = 0.0;
  double revolutions_cw = 0.0;
  double revolutions_ccw = 0.0;
  double leq_dba = 0.0;
  double sound_s = 0.0;
  double paused_s = 0.0;
  int trips = 0;
  bool from_time_series = false;  // sensoryd stopped during the session
};

Figures figures_of(const LoggedSession& s) {
  Figures f;
  auto logged = s.dose.empty() ? std::nullopt : read_dose(s.dose);
  if (!logged) return f;
  const Dose& d = logged->dose;
  f.has_dose = true;
  f.duration_s = d.duration_s;
  f.motion_s = d.time_in_motion_s;
  f.oscillations = d.oscillations;
  f.mean_amplitude_deg = d.mean_amplitude_deg;
  f.revolutions_cw = d.revolutions_clockwise;
  f.revolutions_ccw = d.revolutions_counterclockwise;
  f.leq_dba = d.sound_leq_dba;
  f.sound_s = d.sound_playing_s;
  f.paused_s = d.paused_s;
  f.trips = d.trips;
  f.from_time_series = logged->source == kDoseFromTimeSeries;
  return f;
}

std::string scale(std::optional<int> value) {
  return value ? std::to_string(*value) : "-";
}

std::string minutes(double seconds) {
  return fmt::format("{:.1f}", seconds / 60.0);
}

std::string date_of(const std::string& ts) {
  return ts.substr(0, 10);
}

// "2026-11-02 09:00": the start, to the minute.
std::string when(const std::string& ts) {
  std::string text = ts.substr(0, 16);
  if (text.size() > 10) text[10] = ' ';
  return text;
}

std::string sessions_word(int n) {
  return std::to_string(n) + (n == 1 ? " session" : " sessions");
}

// Summed over the sessions in the report.
struct Totals {
  double total_s = 0.0;
  double motion_s = 0.0;
  double oscillations = 0.0;
  double amplitude_cycles = 0.0;  // oscillations x their mean amplitude, for the mean of means
  double cw = 0.0;
  double ccw = 0.0;
  int with_dose = 0;
  int before_n = 0;
  int after_n = 0;
  double before_sum = 0.0;
  double after_sum = 0.0;
  int toward = 0;  // sessions whose regulation moved toward 3 (or stayed there)
  int paired = 0;  // sessions with both a before and an after

  void add(const Figures& f, std::optional<int> before, std::optional<int> after) {
    if (f.has_dose) {
      ++with_dose;
      total_s += f.duration_s;
      motion_s += f.motion_s;
      oscillations += f.oscillations;
      amplitude_cycles += f.oscillations * f.mean_amplitude_deg;
      cw += f.revolutions_cw;
      ccw += f.revolutions_ccw;
    }
    if (before) {
      ++before_n;
      before_sum += *before;
    }
    if (after) {
      ++after_n;
      after_sum += *after;
    }
    if (before && after) {
      ++paired;
      if (std::abs(*after - 3) < std::abs(*before - 3) || (*before == 3 && *after == 3)) ++toward;
    }
  }
};

constexpr const char* kRowFormat =
    "{:<16}  {:<20}  {:>5}  {:>6}  {:>6}  {:>5}  {:>10}  {:>5}  {:>6}  {:>5}  {:<12}  {:<12}  {}\n";

// One line per session, its key under the table; the sessions summed into `totals`.
void write_sessions(std::ostringstream& out, const std::vector<LoggedSession>& sessions,
                    Totals& totals) {
  out << "\n"
      << fmt::format(kRowFormat, "started (UTC)", "profile", "min", "motion", "osc", "amp",
                     "rev cw/ccw", "dB(A)", "paused", "trips", "before>after", "ended", "session");
  for (const auto& s : sessions) {
    Figures f = figures_of(s);
    auto before = s.latest(&SessionResponse::before);
    auto after = s.latest(&SessionResponse::after);
    totals.add(f, before, after);
    std::string ended = s.ended.empty() ? "not ended" : s.end_reason;
    if (f.from_time_series) ended += "*";
    auto dash = [&](std::string text) { return f.has_dose ? text : std::string{"-"}; };
    out << fmt::format(kRowFormat, when(s.started), s.profile, dash(minutes(f.duration_s)),
                       dash(minutes(f.motion_s)), dash(fmt::format("{:.0f}", f.oscillations)),
                       dash(fmt::format("{:.1f}", f.mean_amplitude_deg)),
                       dash(fmt::format("{:.1f}/{:.1f}", f.revolutions_cw, f.revolutions_ccw)),
                       dash(f.sound_s > 0.0 ? fmt::format("{:.0f}", f.leq_dba) : std::string{"-"}),
                       dash(minutes(f.paused_s)), dash(std::to_string(f.trips)),
                       scale(before) + ">" + scale(after), ended, s.id);
  }
  out << "\n(min: session minutes; motion: minutes in motion; osc: linear oscillations; amp: mean "
         "amplitude per oscillation, degrees;\n rev: rotary revolutions; dB(A): sound Leq at the "
         "listener; before>after: regulation 1-5, 3 = regulated;\n *: sensoryd stopped during the "
         "session, whose dose is from its 1 Hz time series)\n";
}

void write_totals(std::ostringstream& out, const Totals& t) {
  out << "\nVestibular input: " << minutes(t.motion_s) << " min in motion over "
      << sessions_word(t.with_dose) << " with a dose (" << minutes(t.total_s) << " min in all)";
  if (t.oscillations > 0.0) {
    out << fmt::format("; {:.0f} linear oscillations, mean amplitude {:.1f} deg", t.oscillations,
                       t.amplitude_cycles / t.oscillations);
  }
  if (t.cw + t.ccw > 0.0) {
    out << fmt::format("; {:.1f} revolutions clockwise, {:.1f} counterclockwise", t.cw, t.ccw);
  }
  out << ".\n";
  out << "Response: ";
  if (t.before_n + t.after_n == 0) {
    out << "none recorded.\n";
    return;
  }
  if (t.before_n > 0) {
    out << fmt::format("before {:.1f} on average ({})", t.before_sum / t.before_n,
                       sessions_word(t.before_n));
  }
  if (t.before_n > 0 && t.after_n > 0) out << ", ";
  if (t.after_n > 0) {
    out << fmt::format("after {:.1f} on average ({})", t.after_sum / t.after_n,
                       sessions_word(t.after_n));
  }
  if (t.paired > 0) {
    out << "; " << t.toward << " of " << t.paired << " moved toward regulated (3) or stayed there";
  }
  out << ".\n";
}

void write_goals_and_notes(std::ostringstream& out, const std::vector<LoggedSession>& sessions) {
  bool any_goal = false;
  for (const auto& s : sessions) {
    for (const auto& r : s.responses) {
      if (!r.goal_progress) continue;
      if (!any_goal) out << "\nGoals (Goal Attainment Scale, -2 to +2):\n";
      any_goal = true;
      out << fmt::format("  {}  {:+d}  {}\n", date_of(s.started), *r.goal_progress, r.goal);
    }
  }
  bool any_note = false;
  for (const auto& s : sessions) {
    for (const auto& note : s.notes) {
      if (!any_note) out << "\nNotes:\n";
      any_note = true;
      out << "  " << date_of(note.ts) << " "
          << (note.therapist.empty() ? "" : note.therapist + ": ") << note.text << "\n";
    }
  }
}

}  // namespace

std::string child_report(const std::vector<LoggedSession>& sessions, const std::string& child,
                         const Period& period) {
  std::ostringstream out;
  out << "Child " << child << ": " << sessions.size() << " session"
      << (sessions.size() == 1 ? "" : "s");
  if (!period.since.empty()) out << " since " << period.since;
  if (!period.until.empty()) out << " until " << period.until;
  out << "\n";
  if (sessions.empty()) {
    out << "(no session in the log for this child";
    out << (period.since.empty() && period.until.empty() ? ")\n" : " in this period)\n");
    return out.str();
  }
  Totals totals;
  write_sessions(out, sessions, totals);
  write_totals(out, totals);
  write_goals_and_notes(out, sessions);
  return out.str();
}

std::string chart_data(const std::vector<LoggedSession>& sessions) {
  std::string data = "# index date motion_min session_min before after\n";
  int index = 0;
  for (const auto& s : sessions) {
    Figures f = figures_of(s);
    auto before = s.latest(&SessionResponse::before);
    auto after = s.latest(&SessionResponse::after);
    auto number = [](std::optional<int> v) { return v ? std::to_string(*v) : std::string{"NaN"}; };
    data += fmt::format("{} {} {} {} {} {}\n", index++, date_of(s.started),
                        f.has_dose ? fmt::format("{:.2f}", f.motion_s / 60.0) : "NaN",
                        f.has_dose ? fmt::format("{:.2f}", f.duration_s / 60.0) : "NaN",
                        number(before), number(after));
  }
  return data;
}

std::string chart_script(const std::string& child, const std::string& data_file,
                         const std::string& chart_file) {
  bool png = chart_file.size() >= 4 && chart_file.substr(chart_file.size() - 4) == ".png";
  // gnuplot strings in single quotes take everything literally but a single quote.
  auto quoted = [](const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string{"''"} : std::string(1, c);
    return out + "'";
  };
  std::string script;
  script += png ? "set terminal png size 1000,560\n" : "set terminal svg size 1000,560 dynamic\n";
  script += "set output " + quoted(chart_file) + "\n";
  script += "set title " + quoted("Dose and response per session: " + child) + "\n";
  script +=
      "set style data histogram\n"
      "set style histogram clustered gap 1\n"
      "set style fill solid 0.6 border -1\n"
      "set boxwidth 0.8\n"
      "set ylabel 'minutes'\n"
      "set yrange [0:*]\n"
      "set y2label 'regulation (1 under, 3 regulated, 5 over)'\n"
      "set y2range [0.5:5.5]\n"
      "set y2tics 1\n"
      "set ytics nomirror\n"
      "set xtics rotate by -45\n"
      "set key outside bottom center horizontal\n"
      "set grid y\n";
  script += "plot " + quoted(data_file) +
            " using 4:xtic(2) title 'session (min)' lc rgb '#9ecae1', \\\n"
            "  '' using 3 title 'in motion (min)' lc rgb '#3182bd', \\\n"
            "  '' using 1:5 axes x1y2 with linespoints pt 7 ps 1.2 lc rgb '#e6550d' "
            "title 'before', \\\n"
            "  '' using 1:6 axes x1y2 with linespoints pt 5 ps 1.2 lc rgb '#31a354' "
            "title 'after'\n";
  return script;
}

}  // namespace sensoryd
