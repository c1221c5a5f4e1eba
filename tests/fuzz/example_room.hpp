// The example room, loaded once, that fuzz targets check profiles against.
#pragma once

#include "config/loader.hpp"

namespace sensoryd::fuzz {

inline const config::Room& example_room() {
  static const config::Room room = [] {
    auto loaded = config::load_room(SENSORYD_EXAMPLE_ROOM);
    if (!loaded.room) __builtin_trap();  // a fuzzer needs a valid room to check profiles with
    return *loaded.room;
  }();
  return room;
}

}  // namespace sensoryd::fuzz
