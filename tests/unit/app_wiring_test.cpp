// The App's wiring in-process: Home Assistant's discovery kept on the broker, and the whole
// room on FakeBuses through the App's bus factory.
#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/app_rig.hpp"

namespace sensoryd {
namespace {

using nlohmann::json;
using test::AppRig;
using test::room_with_mqtt;

// Home Assistant discovery configs published so far, retained and not removals.
std::size_t discovery_published(const test::FakeBroker& broker) {
  return static_cast<std::size_t>(
      std::count_if(broker.published.begin(), broker.published.end(), [](const auto& p) {
        return p.topic.rfind("homeassistant/", 0) == 0 && p.retained && !p.payload.empty();
      }));
}

TEST(AppInProcess, HomeAssistantGetsTheRoomsDiscoveryOnConnectAndAgainWhenItComesOnline) {
  AppRig rig(std::string(test::kInProcessRoom) +
             "\n[integrations.home_assistant]\nenabled = true\n");
  const auto& subscriptions = rig.broker->subscriptions;
  for (const char* filter : {"homeassistant/status", "homeassistant/+/sensoryd-r/+/config"}) {
    EXPECT_NE(std::find(subscriptions.begin(), subscriptions.end(), filter), subscriptions.end())
        << filter;
  }
  std::size_t once = discovery_published(*rig.broker);
  EXPECT_GE(once, 17u);  // 8 of the room, 7 buttons, the swing's health, online and amplitude
  const auto* session = rig.broker->last("homeassistant/sensor/sensoryd-r/session/config");
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(json::parse(session->payload)["state_topic"], "sensoryd/r/session");

  rig.broker->command("homeassistant/status", "offline");
  rig.broker->command("homeassistant/status", "online");
  EXPECT_TRUE(rig.run_until([&] { return discovery_published(*rig.broker) == 2 * once; }));
}

TEST(AppInProcess, AFloodOfBirthMessagesRepublishesTheDiscoveryOnceASecondAtMost) {
  AppRig rig(std::string(test::kInProcessRoom) +
             "\n[integrations.home_assistant]\nenabled = true\n");
  std::size_t once = discovery_published(*rig.broker);
  for (int i = 0; i < 500; ++i) rig.broker->command("homeassistant/status", "online");
  rig.broker->command("sensoryd/r/cmd/fly", R"({"request_id":"after"})");
  ASSERT_TRUE(rig.run_until([&] {
    auto replies = rig.replies();
    return std::any_of(replies.begin(), replies.end(),
                       [](const json& r) { return r["request_id"] == "after"; });
  }));
  EXPECT_EQ(discovery_published(*rig.broker), 2 * once);  // one republish for the 500
}

TEST(AppInProcess, ARetainedConfigOfThisRoomThatIsNoLongerOfferedIsRemovedAndNoOtherOne) {
  AppRig rig(std::string(test::kInProcessRoom) +
             "\n[integrations.home_assistant]\nenabled = true\n");
  auto retained = [&](const std::string& topic, const std::string& payload) {
    InboundMessage m;
    m.topic = topic;
    m.payload = payload;
    m.retained = true;
    rig.broker->deliver(m);
  };
  // What the broker holds from before: a device since removed, another room's, and our own.
  retained("homeassistant/sensor/sensoryd-r/cushion-level/config", R"({"name":"Level"})");
  retained("homeassistant/sensor/sensoryd-other/cushion-level/config", R"({"name":"Level"})");
  retained("homeassistant/sensor/sensoryd-r/session/config", R"({"name":"Session"})");
  rig.broker->command("sensoryd/r/cmd/fly", R"({"request_id":"after"})");
  ASSERT_TRUE(rig.run_until([&] {
    auto replies = rig.replies();
    return std::any_of(replies.begin(), replies.end(),
                       [](const json& r) { return r["request_id"] == "after"; });
  }));
  const auto* removed = rig.broker->last("homeassistant/sensor/sensoryd-r/cushion-level/config");
  ASSERT_NE(removed, nullptr);
  EXPECT_TRUE(removed->retained);
  EXPECT_EQ(removed->payload, "");
  EXPECT_EQ(rig.broker->last("homeassistant/sensor/sensoryd-other/cushion-level/config"), nullptr);
  EXPECT_NE(rig.broker->last("homeassistant/sensor/sensoryd-r/session/config")->payload, "");
}

TEST(AppInProcess, WithoutHomeAssistantNothingIsAnnouncedOrSubscribed) {
  AppRig rig;
  EXPECT_EQ(discovery_published(*rig.broker), 0u);
  for (const auto& filter : rig.broker->subscriptions) {
    EXPECT_EQ(filter.rfind("homeassistant/", 0), std::string::npos) << filter;
  }
}

// The whole room in-process (App's bus factory): the App wires drivers, supervisor and session
// to buses it was given, and what the swing drive received is read from its fake bus.
TEST(AppOnFakeBuses, ATabletsStartMovesTheDriveAndAnEStopDisablesItUntilReset) {
  AppRig rig(test::kInProcessRoom, false, true);
  ASSERT_EQ(rig.buses.size(), 1u);
  test::FakeBus& cabinet = *rig.buses.at("cabinet");
  EXPECT_TRUE(cabinet.started);
  cabinet.link(true);
  auto safety = [&rig] { return json::parse(rig.broker->last("sensoryd/r/safety")->payload); };
  ASSERT_TRUE(rig.run_until([&] { return safety()["motion_allowed"] == true; })) << safety().dump();
  static constexpr int kUnit = 1;
  auto control = [&cabinet] { return cabinet.holding[{kUnit, 0}]; };
  auto amplitude = [&cabinet] { return cabinet.holding[{kUnit, 2}]; };

  rig.broker->command("sensoryd/r/cmd/start", R"({"request_id":"s","profile":"calm"})");
  EXPECT_EQ(rig.reply_payload()["ok"], true);
  ASSERT_TRUE(rig.run_until([&] { return control() == 1 && amplitude() > 0; }));

  rig.broker->command("sensoryd/r/cmd/estop", R"({"request_id":"e"})");
  EXPECT_EQ(rig.reply_payload()["ok"], true);
  ASSERT_TRUE(rig.run_until([&] { return control() == 0; }));
  EXPECT_EQ(safety()["tripped"], true);
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/session")->payload)["state"], "idle");
  // Nothing enables the drive again until a reset and a new start.
  rig.broker->command("sensoryd/r/cmd/start", R"({"request_id":"s2","profile":"calm"})");
  EXPECT_EQ(rig.reply_payload()["error"]["code"], "interlock_active");
  EXPECT_EQ(control(), 0);
  int last_control = -1;
  for (const auto& write : cabinet.writes) {
    if (write.unit == kUnit && write.address == 0) last_control = write.value;
  }
  EXPECT_EQ(last_control, 0);
  // After a reset (which never moves anything), a new start does.
  rig.broker->command("sensoryd/r/cmd/reset", R"({"request_id":"r"})");
  EXPECT_EQ(rig.reply_payload()["ok"], true);
  EXPECT_EQ(control(), 0);
  rig.broker->command("sensoryd/r/cmd/start", R"({"request_id":"s3","profile":"calm"})");
  EXPECT_EQ(rig.reply_payload()["ok"], true);
  ASSERT_TRUE(rig.run_until([&] { return control() == 1; }));
}

}  // namespace
}  // namespace sensoryd
