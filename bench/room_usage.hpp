// What the room's sensoryd process costs while a bench watches it (issue #30): CPU time and
// context switches over all its threads, the Modbus requests it sent, and the heap allocations
// it made (counted by libsensoryd-count-alloc.so, preloaded into it).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sensoryd::bench {

struct Usage {
  long long cpu_ns = 0;
  long long switches = 0;  // voluntary and involuntary context switches
};

// Every thread's time on a CPU (schedstat, in ns) and its context switches, summed.
inline Usage usage_of(pid_t pid) {
  Usage usage;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream schedstat(task.path() / "schedstat");
    long long on_cpu = 0;
    if (schedstat >> on_cpu) usage.cpu_ns += on_cpu;
    std::ifstream status(task.path() / "status");
    std::string key;
    while (status >> key) {
      long long value = 0;
      if (key == "voluntary_ctxt_switches:" || key == "nonvoluntary_ctxt_switches:") {
        status >> value;
        usage.switches += value;
      }
      status.ignore(4096, '\n');
    }
  }
  return usage;
}

// The data segments sent so far on every TCP connection to `port` (sensoryd's to the cabinet:
// libmodbus sends each request in one).
inline long long segments_to(int port) {
  std::string command = "ss -tinH state established '( dport = :" + std::to_string(port) + " )'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run ss");
  std::string text;
  std::array<char, 4096> chunk{};
  while (std::size_t n = std::fread(chunk.data(), 1, chunk.size(), pipe.get()))
    text.append(chunk.data(), n);
  long long total = 0;
  const std::string key = "data_segs_out:";
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
    total += std::stoll(text.substr(at + key.size()));
  }
  return total;
}

inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The allocations a process started with env() has made so far (bench/count_allocations.cpp).
class AllocationCount {
 public:
  explicit AllocationCount(std::filesystem::path file) : file_(std::move(file)) {
    library_ = std::filesystem::read_symlink("/proc/self/exe").parent_path() /
               "libsensoryd-count-alloc.so";
    if (!std::filesystem::exists(library_)) {
      throw std::runtime_error(library_.string() + " is missing: build the bench targets");
    }
  }
  std::vector<std::string> env() const {
    return {"LD_PRELOAD=" + library_.string(), "SENSORYD_ALLOC_COUNTER=" + file_.string()};
  }
  std::uint64_t now() const {
    std::uint64_t count = 0;
    std::ifstream in(file_, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(&count), sizeof count)) {
      throw std::runtime_error("the allocation counter " + file_.string() + " is not there");
    }
    return count;
  }

 private:
  std::filesystem::path file_;
  std::filesystem::path library_;
};

}  // namespace sensoryd::bench
