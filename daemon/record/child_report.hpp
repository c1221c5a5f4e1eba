// The per-child report (docs/clinical-record.md): a child's sessions over time with their dose
// and the child's responses, as text for the therapist, and as the data and gnuplot script of a
// chart of dose and response per session. Pure: sessions in, text out.
#pragma once

#include <string>
#include <vector>

#include "daemon/record/child_sessions.hpp"

namespace sensoryd {

std::string child_report(const std::vector<LoggedSession>& sessions, const std::string& child,
                         const Period& period);

// The chart's data, one line per session: index, date, minutes in motion, minutes of the
// session, regulation before and after ("NaN" when not given).
std::string chart_data(const std::vector<LoggedSession>& sessions);
// A gnuplot script drawing `data_file` into `chart_file`: SVG, or PNG when the name ends .png.
std::string chart_script(const std::string& child, const std::string& data_file,
                         const std::string& chart_file);

}  // namespace sensoryd
