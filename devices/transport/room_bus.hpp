// A bus as the room's wiring holds it: a RegisterBus for its drivers, plus what only its owner
// does with it (start it, stop it, ask whether its worker is stuck). ModbusBus is the real one;
// the tests' FakeBus stands in for it, so that a whole room runs in-process (App's BusFactory).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

class RoomBus : public RegisterBus {
 public:
  virtual void start() = 0;
  // Sends what is queued (the last safe outputs), then ends; idempotent.
  virtual void stop() = 0;
  // True when its worker has made no progress for longer than any healthy cycle takes.
  virtual bool stuck(std::chrono::steady_clock::time_point now) const = 0;
};

// The room's buses by id.
using RoomBuses = std::map<std::string, std::unique_ptr<RoomBus>>;

}  // namespace sensoryd::devices
