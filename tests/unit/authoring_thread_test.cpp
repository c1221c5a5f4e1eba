// The authoring thread (daemon/authoring/authoring_thread): it carries out profile and plan
// commands at a lower priority than the daemon's, so that a preview's computing or a save's
// syncs yield the cores to the control tick and the bus workers (docs/safety.md S19).
#include "daemon/authoring/authoring_thread.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <future>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "test_paths.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::authoring {
namespace {

TEST(AuthoringThreadTest, CommandsAreCarriedOutAtALowerPriorityThanTheDaemons) {
  auto loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(loaded.room);
  test::TempDir dir;
  int daemon = getpriority(PRIO_PROCESS, 0);
  std::promise<int> seen;
  AuthoringThread thread(dir.path(), *loaded.room);
  ASSERT_TRUE(thread.submit({Action::profile_preview, R"({"profile_id":"calm-down"})", 0, "ana"},
                            [&seen](EditResult result) {
                              EXPECT_TRUE(result.ok) << result.code << ": " << result.message;
                              seen.set_value(getpriority(PRIO_PROCESS, gettid()));
                            }));
  auto niceness = seen.get_future();
  ASSERT_EQ(niceness.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(niceness.get(), std::min(19, daemon + AuthoringThread::kNiceness));
  EXPECT_EQ(getpriority(PRIO_PROCESS, 0), daemon);  // the rest of the daemon is as it was
}

}  // namespace
}  // namespace sensoryd::authoring
