// What one command costs the logic thread (docs/safety.md, "Timing under load"): the App
// in-process on a fake broker, commands handed over in batches of 200 (within the Intake's
// room), each batch timed from hand-over until every reply is out. Prints microseconds per
// command for each kind. No processes, no sockets; the clinical log is a real file. (A lease is
// not among them: leases that wait together are coalesced into one.)
//   sensoryd-bench-command [COMMANDS]   (default 20,000 of each kind)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/app/app.hpp"
#include "tests/support/fake_broker.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Kind {
  const char* what;
  std::string topic;
  std::string payload;
};

}  // namespace

int main(int argc, char** argv) {
  int commands = argc > 1 ? std::atoi(argv[1]) : 20'000;
  if (commands <= 0) {
    std::cerr << "usage: sensoryd-bench-command [COMMANDS]\n";
    return 64;
  }
  spdlog::set_level(spdlog::level::err);
  sensoryd::test::TempDir dir;
  auto loaded = sensoryd::test::write_in_process_room(dir.path());
  if (!loaded.room) {
    std::cerr << "the bench room does not load\n";
    return 1;
  }
  sensoryd::asio::io_context io;
  auto fake = std::make_unique<sensoryd::test::FakeBroker>();
  auto* broker = fake.get();
  sensoryd::AppOptions options;
  options.state_dir = dir.path();
  // Every command answered: this measures the work per command, not the flood limits.
  options.reply_rates.refusals_per_s = 1e9;
  options.reply_rates.refusals_burst = 1e9;
  sensoryd::App app(*loaded.room, io, options, std::move(fake));
  app.start();
  broker->connect();

  std::vector<Kind> kinds = {
      {"invalid JSON (bad_request)", "sensoryd/r/cmd/start", "{not json"},
      {"unknown action", "sensoryd/r/cmd/fly", R"({"request_id":"x"})"},
      {"next, no session (refused)", "sensoryd/r/cmd/next", R"({"request_id":"x"})"},
      {"adjust, no session (refused)", "sensoryd/r/cmd/adjust",
       R"({"request_id":"x","intensity":0.5})"},
      {"start, drive unreachable", "sensoryd/r/cmd/start",
       R"({"request_id":"x","profile":"calm"})"},
  };
  std::printf("per command, handed over in batches of 200, until its reply is out:\n");
  for (const auto& kind : kinds) {
    auto replies = [&] {
      std::size_t n = 0;
      for (const auto& p : broker->published) n += p.topic == "sensoryd/r/reply";
      return n;
    };
    Clock::duration spent{};
    for (int done = 0; done < commands; done += 200) {
      broker->published.clear();  // keeps the fake's memory and the counting small
      auto started = Clock::now();
      for (int i = 0; i < 200; ++i) broker->command(kind.topic, kind.payload);
      auto deadline = started + 10s;
      while (replies() < 200 && Clock::now() < deadline) io.run_one_for(10ms);
      spent += Clock::now() - started;
      if (replies() < 200) {
        std::cerr << kind.what << ": replies missing after 10 s\n";
        return 1;
      }
    }
    double us = std::chrono::duration<double, std::micro>(spent).count() / commands;
    std::printf("  %-32s %7.1f us\n", kind.what, us);
  }
  return 0;
}
