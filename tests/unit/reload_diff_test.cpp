// The reload's sorting of Room: which changes need a restart (named by section), which are
// taken at once, and that a change nobody listed cannot pass unnoticed.
#include "config/reload_diff.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_broker.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::config {
namespace {

Room in_process_room(test::TempDir& dir) {
  auto loaded = test::write_in_process_room(dir.path());
  if (!loaded.room) throw std::runtime_error("the test room does not load");
  return *loaded.room;
}

TEST(ReloadDiff, ProfilesChildrenAndTheNameAreReloadedAndTakenAsTheyAre) {
  test::TempDir dir;
  Room running = in_process_room(dir);
  Room next = running;
  next.name = "Blue room";
  next.profiles.erase("later");
  next.children.erase("c-2");
  EXPECT_TRUE(sections_needing_restart(running, next).empty());
  apply_reloadable(running, next);
  EXPECT_EQ(running.name, "Blue room");
  EXPECT_EQ(running.profiles.count("later"), 0u);
  EXPECT_EQ(running.children.count("c-2"), 0u);
}

TEST(ReloadDiff, EachOtherSectionNeedsARestartAndIsNamed) {
  test::TempDir dir;
  const Room running = in_process_room(dir);
  struct Case {
    void (*change)(Room&);
    std::string section;
  };
  std::vector<Case> cases{
      {[](Room& r) { r.id = "other"; }, "[room] id"},
      {[](Room& r) { r.mqtt.client_id += "-2"; }, "[mqtt]"},
      {[](Room& r) { r.buses.front().baud = 9600; }, "[buses]"},
      {[](Room& r) { r.devices.front().id = "swing-2"; }, "[devices]"},
      {[](Room& r) { r.limits.swing.max_amplitude_deg = 10.0; }, "[limits]"},
      {[](Room& r) { r.limits.session.lease = std::chrono::seconds(5); }, "[limits]"},
      {[](Room& r) { r.home_assistant.enabled = !r.home_assistant.enabled; }, "[integrations]"},
  };
  for (const auto& c : cases) {
    Room next = running;
    c.change(next);
    EXPECT_EQ(sections_needing_restart(running, next), std::vector<std::string>{c.section})
        << c.section;
  }
}

}  // namespace
}  // namespace sensoryd::config
