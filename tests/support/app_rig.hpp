// The App in-process for unit tests (tests/unit/app_*_test.cpp): the in-process room on a fake
// broker link (and, when asked, a fake E-stop link and FakeBuses), with helpers that run the
// logic thread until something is published.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "daemon/app/app.hpp"
#include "tests/support/fake_broker.hpp"
#include "tests/support/fake_bus.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::test {

using nlohmann::json;

// The in-process room with `mqtt_keys` added to its [mqtt] table.
inline std::string room_with_mqtt(const std::string& mqtt_keys) {
  std::string room = kInProcessRoom;
  const std::string uri = "uri = \"tcp://127.0.0.1:1\"\n";
  room.insert(room.find(uri) + uri.size(), mqtt_keys);
  return room;
}

struct AppRig {
  // With `estop_link`, E-stops have a fake link of their own too, as the daemon's do.
  // With `fake_buses`, every bus is a FakeBus (`buses`) that the rig pumps as the logic thread
  // runs: the whole room in-process, equipment included.
  explicit AppRig(const std::string& room_text = kInProcessRoom, bool estop_link = false,
                  bool fake_buses = false) {
    auto loaded = write_in_process_room(dir.path(), room_text);
    if (!loaded.room) {
      for (const auto& e : loaded.diagnostics.errors) ADD_FAILURE() << e.to_string();
      throw std::runtime_error("the test room does not load");
    }
    auto fake = std::make_unique<FakeBroker>();
    broker = fake.get();
    AppOptions options;
    options.state_dir = dir.path();
    if (fake_buses) {
      options.make_bus = [this](const config::ModbusBus& bus) {
        auto fake_bus = std::make_unique<FakeBus>();
        buses[bus.id] = fake_bus.get();
        return fake_bus;
      };
    }
    std::unique_ptr<FakeBroker> estop_fake;
    if (estop_link) {
      estop_fake = std::make_unique<FakeBroker>();
      estops = estop_fake.get();
    }
    app = std::make_unique<App>(*loaded.room, io, options, std::move(fake), std::move(estop_fake));
    app->start();
    broker->connect();
    if (estops != nullptr) estops->connect();
  }

  // Runs the logic thread until the next reply on `topic` is out (the drain, the log writer's
  // news), and returns it.
  json reply_payload(const std::string& topic = "sensoryd/r/reply") {
    auto count = [&] {
      return std::count_if(broker->published.begin(), broker->published.end(),
                           [&](const auto& p) { return p.topic == topic; });
    };
    auto& seen = replies_seen[topic];
    if (!run_until([&] { return count() > seen; })) return json();
    seen = count();
    return json::parse(broker->last(topic)->payload);
  }
  std::map<std::string, std::ptrdiff_t> replies_seen;

  // Runs the App's handlers until `done` holds, or fails the test after 5 s.
  template <typename Done>
  bool run_until(Done done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "the App did not get there within 5 s";
        return false;
      }
      io.run_one_for(std::chrono::milliseconds(buses.empty() ? 50 : 5));
      for (auto& [id, bus] : buses) {  // the equipment answers what was sent and polled
        bus->deliver();
        bus->poll();
      }
    }
    return true;
  }

  // Every reply published so far, on any topic, in order.
  std::vector<json> replies() const {
    std::vector<json> out;
    for (const auto& p : broker->published) {
      if (p.topic.find("reply") != std::string::npos) out.push_back(json::parse(p.payload));
    }
    return out;
  }

  TempDir dir;
  asio::io_context io;
  FakeBroker* broker = nullptr;
  FakeBroker* estops = nullptr;           // the E-stop link, when asked for
  std::map<std::string, FakeBus*> buses;  // with fake buses: each, owned by the App
  std::unique_ptr<App> app;
};

}  // namespace sensoryd::test
