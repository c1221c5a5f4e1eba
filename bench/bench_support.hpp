// What the benchmarks share: printed figures (p50 / p99 / max against a bound), a process's
// RSS, the wall clock the simulators stamp their recordings with, and a recording read as it
// grows.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/types.h>

#include <nlohmann/json.hpp>

namespace sensoryd::bench {

using nlohmann::json;

inline double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Figures {
  std::vector<double> ms;
  void add(double value) { ms.push_back(value); }
  double at(double q) const {
    auto sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
  }
  // `bound_ms` < 0: a figure the issue asks for without a bound.
  void print(const std::string& what, double bound_ms) const {
    if (ms.empty()) {
      std::printf("  %-34s no samples\n", what.c_str());
      return;
    }
    double p99 = at(0.99);
    std::printf("  %-34s n %3zu  p50 %7.2f  p99 %7.2f  max %7.2f ms", what.c_str(), ms.size(),
                at(0.5), p99, at(1.0));
    if (bound_ms < 0) {
      std::printf("  (no bound)\n");
    } else {
      std::printf("  (bound p99 %.1f: %s)\n", bound_ms, p99 <= bound_ms ? "met" : "NOT MET");
    }
  }
  // As print, for a bound on every sample (the max) rather than on p99.
  void print_max(const std::string& what, double bound_ms) const {
    if (ms.empty()) return print(what, -1);
    std::printf("  %-34s n %3zu  p50 %7.2f  p99 %7.2f  max %7.2f ms  (bound max %.1f: %s)\n",
                what.c_str(), ms.size(), at(0.5), at(0.99), at(1.0), bound_ms,
                at(1.0) <= bound_ms ? "met" : "NOT MET");
  }
};

// A process's resident set now (VmRSS), or its peak since it started (VmHWM), in KiB.
inline long status_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      long kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(4096, '\n');
  }
  return -1;
}
inline long rss_kib(pid_t pid) {
  return status_kib(pid, "VmRSS:");
}
inline long peak_rss_kib(pid_t pid) {
  return status_kib(pid, "VmHWM:");
}

// The simulator's recording, read as it grows: only the lines added since the last look are
// parsed, so that watching it costs the bench (which shares the two cores with what it
// measures) next to nothing.
class RecordingTail {
 public:
  explicit RecordingTail(std::filesystem::path file) : file_(std::move(file)) {}
  const std::vector<json>& lines() {
    std::ifstream in(file_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // a line still being written: read it next time
      offset_ += line.size() + 1;
      auto parsed = json::parse(line, nullptr, false);
      if (!parsed.is_discarded()) lines_.push_back(std::move(parsed));
    }
    return lines_;
  }

 private:
  std::filesystem::path file_;
  std::size_t offset_ = 0;
  std::vector<json> lines_;
};

}  // namespace sensoryd::bench
