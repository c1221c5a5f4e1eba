#include "daemon/app/quiet_room.hpp"

#include <spdlog/spdlog.h>

#include "daemon/app/room_buses.hpp"
#include "daemon/scene/scene_devices.hpp"
#include "daemon/scene/scene_guard.hpp"
#include "devices/transport/mqtt_link.hpp"

namespace sensoryd {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Silence for this long after the last player was told it: time for a paced MQTT command and a
// queued Modbus write to leave (as a shutdown waits, SceneGuard::quiet_for).
constexpr auto kSettle = 300ms;
constexpr auto kTick = 20ms;

}  // namespace

int quiet_room(const config::Room& room, std::chrono::milliseconds within) {
  asio::io_context io;
  devices::RoomBuses buses;
  for (const auto& bus : room.buses) buses.emplace(bus.id, make_modbus_bus(bus, room, io));
  std::size_t buses_up = 0;
  for (auto& [id, bus] : buses) {
    bus->on_link_change([&buses_up](bool up, const std::string&) {
      if (up) ++buses_up;
    });
  }
  // As sensoryd (the broker lets its account write the devices' topics), with no availability
  // of its own: the daemon's will has said offline already.
  MqttLink mqtt(room.mqtt, "", io.get_executor());
  SceneDevices devices = make_scene_devices(room, buses, mqtt);
  bool broker_up = false;
  mqtt.on_connected([&] {
    broker_up = true;
    for (auto* device : devices.mqtt_devices) device->broker_connected(true);
  });
  SceneGuard guard(room, std::move(devices.lights), std::move(devices.players));

  auto deadline = Clock::now() + within;
  // Ready once every link is up and has had a tick of the safe scene since.
  std::optional<Clock::time_point> links_up_at;
  bool done = false;
  asio::steady_timer timer(io);
  std::function<void()> tick = [&] {
    auto now = Clock::now();
    // Tripped: the safe scene on every light and silence on every player, whatever is planned.
    guard.update(Scene{}, nullptr, true, now);
    bool links_up = broker_up && buses_up >= buses.size();
    if (links_up && !links_up_at) links_up_at = now;
    done = links_up_at && now - *links_up_at >= kSettle && guard.quiet_for(kSettle, now);
    if (done || now >= deadline) {
      io.stop();
      return;
    }
    timer.expires_at(timer.expiry() + kTick);
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  };
  for (auto& [id, bus] : buses) bus->start();
  mqtt.start();
  timer.expires_after(kTick);
  timer.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
  io.run();
  // The last commands leave before the links close (a bus sends what is queued as it stops).
  mqtt.stop(2s);
  for (auto& [id, bus] : buses) bus->stop();
  if (!done) {
    spdlog::error(
        "quiet room: not every link came up within {} ms (broker {}, {} of {} buses): what could "
        "be reached was sent the safe scene and silence",
        within.count(), broker_up ? "up" : "down", buses_up, buses.size());
    return 1;
  }
  spdlog::info("quiet room: the lights have the safe scene and every player was told silence");
  return 0;
}

}  // namespace sensoryd
