// Home Assistant's discovery (docs/home-assistant.md): what is announced for a room, under
// which topics and ids, and the configuration that asks for it.
#include "daemon/integrations/home_assistant.hpp"

#include "daemon/integrations/discovery_keeper.hpp"

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "test_paths.hpp"
#include "tests/support/fake_broker.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd {
namespace {

using nlohmann::json;

config::Room example_room() {
  auto loaded =
      config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  if (!loaded.room) throw std::runtime_error("the example room does not load");
  return *loaded.room;
}

std::map<std::string, json> by_unique_id(const std::vector<DiscoveryConfig>& configs) {
  std::map<std::string, json> out;
  for (const auto& c : configs) {
    json j = json::parse(c.payload);
    out[j["unique_id"]] = j;
  }
  return out;
}

TEST(HomeAssistant, TheExampleRoomIsOneDeviceWithItsEquipmentLinkedToIt) {
  config::Room room = example_room();
  ASSERT_TRUE(room.home_assistant.enabled);
  auto configs = home_assistant_discovery(room, "1.2.3");
  std::set<std::string> topics, ids;
  for (const auto& c : configs) {
    EXPECT_TRUE(is_discovery_topic(room, c.topic)) << c.topic;
    EXPECT_TRUE(topics.insert(c.topic).second) << "twice: " << c.topic;
    json j = json::parse(c.payload);
    EXPECT_TRUE(ids.insert(j["unique_id"]).second) << "twice: " << j["unique_id"];
    EXPECT_EQ(j["availability_topic"], "sensoryd/room-1/availability") << c.topic;
    EXPECT_FALSE(j["name"].get<std::string>().empty()) << c.topic;
    const json& device = j["device"];
    ASSERT_TRUE(device["identifiers"].is_array()) << c.topic;
    std::string identifier = device["identifiers"][0];
    if (identifier == "sensoryd-room-1") {
      EXPECT_EQ(device["sw_version"], "1.2.3");
      EXPECT_EQ(device["manufacturer"], "sensoryd");
    } else {
      EXPECT_EQ(device["via_device"], "sensoryd-room-1") << c.topic;  // the room's equipment
    }
  }
  auto entities = by_unique_id(configs);
  for (const char* id : {"session",       "profile",
                         "step",          "time_left",
                         "intensity",     "lease_remaining",
                         "tripped",       "motion_allowed",
                         "stop",          "pause",
                         "resume",        "go",
                         "next",          "estop",
                         "reset",         "swing-amplitude",
                         "swing-health",  "swing-online",
                         "estop-pressed", "door-open",
                         "player-level",  "ceiling-left-online"}) {
    EXPECT_EQ(entities.count(std::string("sensoryd-room-1-") + id), 1u) << id;
  }
  // Starting stays on the tablet (S13): no start button, no profile select, no intensity number.
  EXPECT_EQ(entities.count("sensoryd-room-1-start"), 0u);
  for (const auto& c : configs) {
    EXPECT_EQ(c.topic.find("/select/"), std::string::npos);
    EXPECT_EQ(c.topic.find("/number/"), std::string::npos);
  }
  const json& estop = entities["sensoryd-room-1-estop"];
  EXPECT_EQ(estop["command_topic"], "sensoryd/room-1/cmd/estop");
  EXPECT_EQ(json::parse(estop["payload_press"].get<std::string>())["therapist"], "home-assistant");
  EXPECT_EQ(entities["sensoryd-room-1-session"]["state_topic"], "sensoryd/room-1/session");
  EXPECT_EQ(entities["sensoryd-room-1-player-level"]["unit_of_measurement"], "dBA");
  EXPECT_EQ(entities["sensoryd-room-1-reset"]["name"], "Reset (check the room first)");
}

TEST(HomeAssistant, TopicsAndIdsDependOnlyOnTheRoomAndDeviceIds) {
  config::Room room = example_room();
  auto first = home_assistant_discovery(room, "1.0");
  room.profiles.clear();
  room.children.clear();
  auto second = home_assistant_discovery(room, "1.0");
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].topic, second[i].topic);
    EXPECT_EQ(first[i].payload, second[i].payload);
  }
  EXPECT_EQ(first.front().topic, "homeassistant/sensor/sensoryd-room-1/session/config");
}

TEST(HomeAssistant, SignedInItsButtonsUseItsOwnPathAndOnlyTheChosenOnes) {
  config::Room room = example_room();
  room.home_assistant.user = "monitor";
  room.home_assistant.buttons = {"stop", "estop"};
  room.home_assistant.discovery_prefix = "ha";
  std::vector<std::string> commands;
  for (const auto& c : home_assistant_discovery(room, "1.0")) {
    EXPECT_EQ(c.topic.rfind("ha/", 0), 0u) << c.topic;
    json j = json::parse(c.payload);
    if (j.contains("command_topic")) commands.push_back(j["command_topic"]);
  }
  EXPECT_EQ(commands, (std::vector<std::string>{"sensoryd/room-1/user/monitor/cmd/stop",
                                                "sensoryd/room-1/user/monitor/cmd/estop"}));
  EXPECT_EQ(discovery_filter(room), "ha/+/sensoryd-room-1/+/config");
  EXPECT_EQ(discovery_status_topic(room), "ha/status");
}

TEST(HomeAssistant, NothingIsAnnouncedWhenDisabled) {
  config::Room room = example_room();
  room.home_assistant.enabled = false;
  EXPECT_TRUE(home_assistant_discovery(room, "1.0").empty());
}

TEST(HomeAssistant, OnlyThisRoomsConfigTopicsAreItsOwn) {
  config::Room room = example_room();
  EXPECT_TRUE(is_discovery_topic(room, "homeassistant/sensor/sensoryd-room-1/gone/config"));
  EXPECT_TRUE(is_discovery_topic(room, "homeassistant/button/sensoryd-room-1/x/config"));
  for (const char* other :
       {"homeassistant/sensor/sensoryd-room-2/session/config",
        "homeassistant/sensor/sensoryd-room-1/a/b/config",
        "homeassistant/sensor/sensoryd-room-1/session/state",
        "homeassistant/sensor/sensoryd-room-1//config",
        "homeassistant/sensoryd-room-1/session/config",
        "homeassistantx/sensor/sensoryd-room-1/session/config",
        "other/sensor/sensoryd-room-1/session/config", "homeassistant/status"}) {
    EXPECT_FALSE(is_discovery_topic(room, other)) << other;
  }
}

// The room file's [integrations.home_assistant], as a technician writes it.
std::vector<std::string> errors_with(const std::string& table, const std::string& mqtt_keys = "") {
  test::TempDir dir;
  std::string text = test::kInProcessRoom;
  const std::string uri = "uri = \"tcp://127.0.0.1:1\"\n";
  text.insert(text.find(uri) + uri.size(), mqtt_keys);
  auto loaded = test::write_in_process_room(dir.path(), text + "\n" + table);
  std::vector<std::string> out;
  for (const auto& e : loaded.diagnostics.errors) out.push_back(e.to_string());
  return out;
}

TEST(HomeAssistant, ItsTableIsReadStrictlyWithFileLineAndColumn) {
  EXPECT_TRUE(errors_with("[integrations.home_assistant]\nenabled = true\n").empty());
  auto typo = errors_with("[integrations.home_assistant]\nenabeld = true\n");
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_NE(typo[0].find("room.toml:"), std::string::npos) << typo[0];
  EXPECT_NE(typo[0].find("enabeld"), std::string::npos) << typo[0];
  auto button = errors_with("[integrations.home_assistant]\nbuttons = [\"stop\", \"start\"]\n");
  ASSERT_EQ(button.size(), 1u);
  EXPECT_NE(button[0].find("no button for \"start\""), std::string::npos) << button[0];
  auto prefix = errors_with("[integrations.home_assistant]\ndiscovery_prefix = \"ha/#\"\n");
  ASSERT_EQ(prefix.size(), 1u);
  EXPECT_NE(prefix[0].find("discovery_prefix"), std::string::npos) << prefix[0];
  auto identity =
      errors_with("[integrations.home_assistant]\nenabled = true\n", "require_identity = true\n");
  ASSERT_EQ(identity.size(), 1u);
  EXPECT_NE(identity[0].find("set user = "), std::string::npos) << identity[0];
  EXPECT_TRUE(errors_with("[integrations.home_assistant]\nenabled = true\nuser = \"monitor\"\n",
                          "require_identity = true\n")
                  .empty());
  auto other = errors_with("[integrations.nodered]\nenabled = true\n");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(other[0].find("nodered"), std::string::npos) << other[0];
}

// What the keeper published: (topic, payload) in order.
struct Published {
  std::vector<std::pair<std::string, std::string>> messages;
  DiscoveryKeeper::PublishRetained sink() {
    return [this](const std::string& topic, const std::string& payload) {
      messages.emplace_back(topic, payload);
    };
  }
};

TEST(DiscoveryKeeper, OnConnectItSubscribesToHomeAssistantsStatusAndItsOwnConfigsAndPublishesAll) {
  config::Room room = example_room();
  Published out;
  DiscoveryKeeper keeper(room, "1.2.3", out.sink());
  EXPECT_EQ(keeper.subscriptions(),
            (std::vector<std::string>{discovery_status_topic(room), discovery_filter(room)}));
  keeper.publish_all();
  auto configs = home_assistant_discovery(room, "1.2.3");
  ASSERT_EQ(out.messages.size(), configs.size());
  for (std::size_t i = 0; i < configs.size(); ++i) {
    EXPECT_EQ(out.messages[i].first, configs[i].topic);
    EXPECT_EQ(out.messages[i].second, configs[i].payload);
  }
}

TEST(DiscoveryKeeper, HomeAssistantOnlineRepublishesAtMostOnceASecond) {
  config::Room room = example_room();
  Published out;
  DiscoveryKeeper keeper(room, "1", out.sink());
  auto t = DiscoveryKeeper::Clock::time_point{} + std::chrono::hours(1);
  std::string status = discovery_status_topic(room);
  EXPECT_TRUE(keeper.handle(status, "online", t));
  EXPECT_EQ(out.messages.size(), keeper.configs());
  // A flood of births within the second: nothing more, but each is Home Assistant's.
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(keeper.handle(status, "online", t));
  EXPECT_EQ(out.messages.size(), keeper.configs());
  EXPECT_TRUE(keeper.handle(status, "offline", t + std::chrono::seconds(2)));
  EXPECT_EQ(out.messages.size(), keeper.configs());
  EXPECT_TRUE(keeper.handle(status, "online", t + std::chrono::seconds(2)));
  EXPECT_EQ(out.messages.size(), 2 * keeper.configs());
}

TEST(DiscoveryKeeper, AConfigOfThisRoomNoLongerOfferedIsRemovedAndItsOwnAreLeft) {
  config::Room room = example_room();
  Published out;
  DiscoveryKeeper keeper(room, "1", out.sink());
  auto t = DiscoveryKeeper::Clock::time_point{};
  auto configs = home_assistant_discovery(room, "1");
  ASSERT_FALSE(configs.empty());
  EXPECT_TRUE(keeper.handle(configs[0].topic, configs[0].payload, t));  // our own, back to us
  std::string stale = "homeassistant/sensor/" + discovery_node_id(room) + "/gone/config";
  ASSERT_TRUE(is_discovery_topic(room, stale));
  EXPECT_TRUE(keeper.handle(stale, "{}", t));
  EXPECT_TRUE(keeper.handle(stale, "", t));  // the removal coming back: nothing more
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0], (std::pair<std::string, std::string>{stale, ""}));
  // Anything else is not Home Assistant's.
  EXPECT_FALSE(keeper.handle("sensoryd/room-1/cmd/start", "{}", t));
  EXPECT_FALSE(keeper.handle("homeassistant/sensor/sensoryd-other/x/config", "{}", t));
}

TEST(DiscoveryKeeper, DisabledItSubscribesToNothingAndClaimsNoMessage) {
  config::Room room = example_room();
  room.home_assistant.enabled = false;
  Published out;
  DiscoveryKeeper keeper(room, "1", out.sink());
  EXPECT_TRUE(keeper.subscriptions().empty());
  keeper.publish_all();
  EXPECT_FALSE(keeper.handle(discovery_status_topic(room), "online", {}));
  EXPECT_TRUE(out.messages.empty());
}

}  // namespace
}  // namespace sensoryd
