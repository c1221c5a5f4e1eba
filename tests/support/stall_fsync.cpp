// A disk that takes as long as a test says to sync, for fault tests and benchmarks of the
// clinical log: loaded into sensoryd with LD_PRELOAD, it makes every fdatasync wait while the
// file named by SENSORYD_TEST_STALL_FILE exists, then syncs for real. The test creates the file
// to stall the disk and removes it to let it go.
#include <dlfcn.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

extern "C" int fdatasync(int fd) {
  using Sync = int (*)(int);
  static Sync real = reinterpret_cast<Sync>(dlsym(RTLD_NEXT, "fdatasync"));
  if (const char* stall = std::getenv("SENSORYD_TEST_STALL_FILE")) {
    timespec pause{0, 1'000'000};  // the stall is the fault injected; 1 ms granularity
    while (::access(stall, F_OK) == 0) ::nanosleep(&pause, nullptr);
  }
  return real(fd);
}
