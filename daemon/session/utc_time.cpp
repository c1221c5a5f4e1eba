#include "daemon/session/utc_time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace sensoryd {

std::string utc_text(std::chrono::system_clock::time_point ts, UtcPrecision precision) {
  using namespace std::chrono;
  auto whole = floor<seconds>(ts);
  // fmt 9 formats a time_point in local time: give it the UTC calendar time explicitly.
  std::tm tm = fmt::gmtime(system_clock::to_time_t(whole));
  if (precision == UtcPrecision::seconds) return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", tm);
  auto millis = duration_cast<milliseconds>(ts - whole).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm, millis);
}

}  // namespace sensoryd
