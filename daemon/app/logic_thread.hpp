// Checks that logic-only code (the tick, the drain, commands, records, publishing) runs on the
// logic thread, the one that runs the io_context (docs/architecture.md, "Threads"). Compiled in
// where SENSORYD_THREAD_CHECKS is set (the sanitizer build, which CI runs): a call from another
// thread aborts with the name of what was called. Elsewhere it costs nothing.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace sensoryd {

class LogicThread {
 public:
  // The calling thread is the logic thread from now on.
  void bind() {
#if defined(SENSORYD_THREAD_CHECKS)
    id_ = std::this_thread::get_id();
#endif
  }
  void check([[maybe_unused]] const char* what) const {
#if defined(SENSORYD_THREAD_CHECKS)
    if (id_ != std::thread::id() && id_ != std::this_thread::get_id()) {
      std::fprintf(stderr, "sensoryd: %s ran off the logic thread\n", what);
      std::abort();
    }
#endif
  }

 private:
#if defined(SENSORYD_THREAD_CHECKS)
  std::thread::id id_;
#endif
};

}  // namespace sensoryd
