// The light, sound and MQTT input drivers, each against a fake bus or a fake MQTT port.
#include <algorithm>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devices/modbus_amplifier.hpp"
#include "devices/modbus_light.hpp"
#include "devices/mqtt_input.hpp"
#include "devices/mqtt_light.hpp"
#include "devices/mqtt_player.hpp"
#include "tests/support/fake_bus.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using devices::Health;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
const Clock::time_point kArrived{
    std::chrono::hours(1)};  // when a message arrives (unused by lights)

struct FakePort : devices::MqttPort {
  bool up = true;
  std::vector<std::pair<std::string, std::string>> sent;
  bool connected() const override { return up; }
  void publish(const std::string& topic, const std::string& payload) override {
    sent.emplace_back(topic, payload);
  }
};

config::ModbusLight tube_config() {
  config::ModbusLight c;
  c.modbus.unit = 2;
  for (auto& channel : c.channels.registers) channel.spec.address += 10;  // red 10 ... dimmer 13
  return c;
}

TEST(ModbusLightDriver, WritesOnlyChangedChannelsAndReadsThemBack) {
  test::FakeBus bus;
  devices::ModbusLight light("tube", tube_config(), bus);
  light.attach();
  bus.link(true);
  Clock::time_point t{1h};
  light.apply({{255, 128, 0}, 50.0}, t);
  bus.deliver();
  EXPECT_EQ(bus.holding[std::make_pair(2, 10)], 255);
  EXPECT_EQ(bus.holding[std::make_pair(2, 11)], 128);
  EXPECT_EQ(bus.holding[std::make_pair(2, 13)], 128);  // 50% of 255, rounded
  std::size_t writes = bus.writes.size();
  light.apply({{255, 128, 0}, 50.0}, t + 20ms);
  light.apply({{255, 128, 0}, 60.0}, t + 40ms);
  bus.deliver();
  EXPECT_EQ(bus.writes.size(), writes + 1);  // only the dimmer changed
  bus.poll();
  EXPECT_EQ(light.health(), Health::online);
  ASSERT_TRUE(light.reported());
  EXPECT_EQ(light.reported()->color, (config::Rgb{255, 128, 0}));
  EXPECT_NEAR(light.reported()->brightness_pct, 60.0, 0.3);
}

TEST(ModbusLightDriver, AControllerThatStopsAnsweringIsLostAndGetsEverythingAgainAfter) {
  test::FakeBus bus;
  devices::ModbusLight light("tube", tube_config(), bus, 3);
  light.attach();
  bus.link(true);
  light.apply({{10, 20, 30}, 100.0}, Clock::time_point{1h});
  bus.poll();
  ASSERT_EQ(light.health(), Health::online);
  bus.silent_units.insert(2);
  for (int i = 0; i < 3; ++i) bus.poll();
  EXPECT_EQ(light.health(), Health::lost);
  // Reconnected after a power cycle: the same command is sent again in full.
  bus.silent_units.clear();
  bus.link(false);
  bus.link(true);
  bus.holding.clear();
  light.apply({{10, 20, 30}, 100.0}, Clock::time_point{1h} + 1s);
  bus.poll();
  EXPECT_EQ(bus.holding[std::make_pair(2, 12)], 30);
  EXPECT_EQ(light.health(), Health::online);
}

TEST(ModbusAmplifierDriver, MutesBeforeAndUnmutesAfterAVolumeChange) {
  test::FakeBus bus;
  config::ModbusSound c;
  c.modbus.unit = 5;
  const std::uint16_t mute = c.registers.find("mute")->address;
  const std::uint16_t volume = c.registers.find("volume")->address;
  const std::uint16_t source = c.registers.find("source")->address;
  devices::ModbusAmplifier amp("amp", c, bus);
  amp.attach();
  bus.link(true);
  amp.apply({true, "3", 40.4}, Clock::time_point{1h});
  bus.deliver();
  ASSERT_FALSE(bus.writes.empty());
  EXPECT_EQ(bus.writes.back().address, mute);  // unmuted last
  EXPECT_EQ(bus.holding[std::make_pair(5, volume)], 40);
  EXPECT_EQ(bus.holding[std::make_pair(5, source)], 3);
  bus.writes.clear();
  amp.apply({false, "3", 0.0}, Clock::time_point{1h} + 1s);
  bus.deliver();
  ASSERT_FALSE(bus.writes.empty());
  EXPECT_EQ(bus.writes.front().address, mute);  // muted first
  EXPECT_EQ(bus.holding[std::make_pair(5, mute)], 1);
}

struct ReportedColorCase {
  const char* name;
  const char* state;  // a zigbee2mqtt state message
  config::Rgb shown;
};

class ReportedColor : public ::testing::TestWithParam<ReportedColorCase> {};

TEST_P(ReportedColor, IsWhatTheLightShowsWhateverFormItReportsIn) {
  const ReportedColorCase& c = GetParam();
  auto shown = devices::MqttLight::parse_state(c.state);
  ASSERT_TRUE(shown) << c.state;
  EXPECT_NEAR(shown->color.r, c.shown.r, 3) << c.name;
  EXPECT_NEAR(shown->color.g, c.shown.g, 3) << c.name;
  EXPECT_NEAR(shown->color.b, c.shown.b, 3) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Zigbee2mqtt, ReportedColor,
    ::testing::Values(
        ReportedColorCase{"hex", R"({"state":"ON","color":{"hex":"#00ff00"}})", {0, 255, 0}},
        ReportedColorCase{"rgb", R"({"state":"ON","color":{"r":10,"g":20,"b":30}})", {10, 20, 30}},
        // xy: a saturated blue and D65 white, as a Hue bulb reports them.
        ReportedColorCase{"xy_blue",
                          R"({"state":"ON","color_mode":"xy",
                          "color":{"x":0.1355,"y":0.0399}})",
                          {0, 0, 255}},
        ReportedColorCase{
            "xy_white", R"({"state":"ON","color":{"x":0.3127,"y":0.329}})", {245, 255, 255}},
        ReportedColorCase{
            "xy_red", R"({"state":"ON","color":{"x":0.7006,"y":0.2993}})", {255, 0, 0}},
        ReportedColorCase{"hs",
                          R"({"state":"ON","color_mode":"hs",
                          "color":{"hue":120,"saturation":100}})",
                          {0, 255, 0}},
        // A white-spectrum bulb: 370 mireds is 2700 K, a warm white.
        ReportedColorCase{"color_temp", R"({"state":"ON","color_temp":370})", {255, 167, 87}},
        ReportedColorCase{"color_temp_mode",
                          R"({"state":"ON","color_mode":"color_temp","color_temp":153,
                          "color":{"x":0.7006,"y":0.2993}})",
                          {255, 254, 251}},
        ReportedColorCase{"nothing", R"({"state":"ON","brightness":100})", {255, 255, 255}}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(MqttLightDriver, ALightBehindAnOfflineZigbee2mqttBridgeIsLost) {
  FakePort port;
  devices::MqttLight light("ceiling", {"zigbee2mqtt/ceiling", true},
                           "zigbee2mqtt/ceiling/availability", port);
  auto topics = light.subscriptions();
  EXPECT_NE(std::find(topics.begin(), topics.end(), "zigbee2mqtt/bridge/state"), topics.end());
  light.broker_connected(true);
  light.message("zigbee2mqtt/ceiling/availability", "online", kArrived);
  EXPECT_EQ(light.health(), Health::online);
  EXPECT_TRUE(light.message("zigbee2mqtt/bridge/state", R"({"state":"offline"})", kArrived));
  EXPECT_EQ(light.health(), Health::lost);
  EXPECT_NE(light.health_detail().find("bridge is offline"), std::string::npos);
  light.message("zigbee2mqtt/ceiling/availability", "online", kArrived);  // stale: still lost
  EXPECT_EQ(light.health(), Health::lost);
  light.message("zigbee2mqtt/bridge/state", "online", kArrived);  // the older plain form
  EXPECT_EQ(light.health(), Health::online);
}

TEST(MqttInputDriver, AButtonBehindAnOfflineZigbee2mqttBridgeIsLost) {
  config::Input c;
  c.role = config::InputRole::child_switch;
  c.source = config::MqttInput{"zigbee2mqtt/button", "action", "single"};
  devices::MqttInput button("button", c, "");
  button.broker_connected(true);
  EXPECT_EQ(button.health(), Health::online);
  button.message("zigbee2mqtt/bridge/state", R"({"state":"offline"})", kArrived);
  EXPECT_EQ(button.health(), Health::lost);
}

TEST(MqttLightDriver, SendsZigbeeJsonAtMostTenTimesASecondAndTheNewestLast) {
  FakePort port;
  devices::MqttLight light("ceiling", {"z2m/ceiling", true}, "z2m/ceiling/availability", port);
  light.broker_connected(true);
  EXPECT_EQ(light.health(), Health::lost);  // nothing said on availability yet
  EXPECT_TRUE(light.message("z2m/ceiling/availability", R"({"state":"online"})", kArrived));
  EXPECT_EQ(light.health(), Health::online);
  Clock::time_point t{1h};
  light.apply({{0, 0, 255}, 50.0}, t);
  ASSERT_EQ(port.sent.size(), 1u);
  EXPECT_EQ(port.sent[0].first, "z2m/ceiling/set");
  auto j = json::parse(port.sent[0].second);
  EXPECT_EQ(j["state"], "ON");
  EXPECT_EQ(j["brightness"], 127);
  EXPECT_EQ(j["color"]["hex"], "#0000ff");
  light.apply({{0, 0, 255}, 60.0}, t + 20ms);
  light.apply({{0, 0, 255}, 70.0}, t + 40ms);
  EXPECT_EQ(port.sent.size(), 1u);
  light.apply({{0, 0, 255}, 0.0}, t + 100ms);
  ASSERT_EQ(port.sent.size(), 2u);
  EXPECT_EQ(json::parse(port.sent[1].second)["state"], "OFF");
  // Its state topic is its feedback.
  light.message("z2m/ceiling", R"({"state":"ON","brightness":254,"color":{"hex":"#00ff00"}})",
                kArrived);
  ASSERT_TRUE(light.reported());
  EXPECT_EQ(light.reported()->color, (config::Rgb{0, 255, 0}));
  EXPECT_NEAR(light.reported()->brightness_pct, 100.0, 0.01);
  // Offline, then back: the current command is sent again.
  light.message("z2m/ceiling/availability", "offline", kArrived);
  EXPECT_EQ(light.health(), Health::lost);
  light.message("z2m/ceiling/availability", "online", kArrived);
  light.apply({{0, 0, 255}, 0.0}, t + 300ms);
  EXPECT_EQ(port.sent.size(), 3u);
}

// A light turned up at the lamp (or by another account on the broker) past what sensoryd sent is
// told again, backing off, until it shows what it was sent; five tries unanswered fault it.
TEST(MqttLightDriver, ALightShowingOtherThanItWasSentIsToldAgainUntilItAgrees) {
  FakePort port;
  devices::MqttLight light("ceiling", {"z2m/ceiling", true}, "", port);
  light.broker_connected(true);
  Clock::time_point t{1h};
  light.apply({{0, 0, 255}, 20.0}, t);
  light.message("z2m/ceiling", R"({"state":"ON","brightness":51,"color":{"hex":"#0000ff"}})", t);
  light.apply({{0, 0, 255}, 20.0}, t + 5s);
  EXPECT_EQ(port.sent.size(), 1u);  // it agrees: never sent again
  light.message("z2m/ceiling", R"({"state":"ON","brightness":254,"color":{"hex":"#0000ff"}})",
                t + 6s);
  std::vector<Clock::duration> resent_at;
  for (auto at = t + 6s; at < t + 40s; at += 20ms) {
    std::size_t before = port.sent.size();
    light.apply({{0, 0, 255}, 20.0}, at);
    if (port.sent.size() > before) resent_at.push_back(at - (t + 6s));
  }
  // The first resend comes at once (it agreed before), then after 1, 2, 4, 8 and 8 s.
  EXPECT_EQ(resent_at, (std::vector<Clock::duration>{0s, 1s, 3s, 7s, 15s, 23s, 31s}));
  EXPECT_EQ(json::parse(port.sent.back().second)["brightness"], 51);
  EXPECT_EQ(light.health(), Health::fault);
  light.message("z2m/ceiling", R"({"state":"ON","brightness":51,"color":{"hex":"#0000ff"}})",
                t + 40s);
  EXPECT_EQ(light.health(), Health::online);
}

TEST(MqttLightDriver, AgreesOnOffOnBrightnessToAStepAndOnColourWithinTheConversionsError) {
  using devices::MqttLight;
  EXPECT_TRUE(MqttLight::agrees({{255, 0, 0}, 0.0}, {{0, 0, 255}, 0.0}, true));  // off is off
  EXPECT_FALSE(MqttLight::agrees({{255, 0, 0}, 0.0}, {{255, 0, 0}, 10.0}, true));
  EXPECT_TRUE(MqttLight::agrees({{255, 0, 0}, 50.0}, {{255, 0, 0}, 50.4}, true));
  EXPECT_FALSE(MqttLight::agrees({{255, 0, 0}, 50.0}, {{255, 0, 0}, 100.0}, true));
  // Red sent, reported back through the lamp's xy as a slightly other red: the same.
  auto via_xy = MqttLight::parse_state(R"({"state":"ON","brightness":127,"color_mode":"xy",
                                           "color":{"x":0.6915,"y":0.3083}})");
  ASSERT_TRUE(via_xy);
  EXPECT_TRUE(MqttLight::agrees({{255, 0, 0}, 50.0}, *via_xy, true));
  EXPECT_FALSE(MqttLight::agrees({{0, 0, 255}, 50.0}, *via_xy, true));
  EXPECT_TRUE(MqttLight::agrees({{0, 0, 255}, 50.0}, *via_xy, false));  // a white-only light
}

TEST(MqttPlayerDriver, SendsPlayVolumeAndSourceAndNothingWhileDisconnected) {
  FakePort port;
  devices::MqttPlayer player("player", {"room/player", "cal"}, "", port);
  player.broker_connected(true);
  EXPECT_EQ(player.health(), Health::online);  // no availability topic: the broker's word
  player.apply({true, "rain", 42.0}, Clock::time_point{1h});
  ASSERT_EQ(port.sent.size(), 1u);
  EXPECT_EQ(json::parse(port.sent[0].second),
            (json{{"state", "play"}, {"volume", 42}, {"source", "rain"}}));
  port.up = false;
  player.broker_connected(false);
  EXPECT_EQ(player.health(), Health::lost);
  player.apply({false, "rain", 0.0}, Clock::time_point{1h} + 1s);
  EXPECT_EQ(port.sent.size(), 1u);
}

// A player that reports its state and ignores a mute is told again (1 s, then 2, 4, 8, 8 s)
// until it agrees; five tries unanswered fault it; agreeing clears the fault.
TEST(MqttPlayerDriver, APlayerThatIgnoresAMuteIsToldAgainUntilItAgreesAndFaultedMeanwhile) {
  FakePort port;
  devices::MqttPlayer player("player", {"room/player", "cal"}, "", port);
  player.broker_connected(true);
  Clock::time_point t{1h};
  player.apply({true, "rain", 42.0}, t);
  player.message("room/player", R"({"state":"play","volume":42,"source":"rain"})", t);
  player.apply({true, "rain", 42.0}, t + 5s);
  EXPECT_EQ(port.sent.size(), 1u);  // it agrees: never sent again
  // The mute is sent; the player keeps playing.
  player.apply({false, "rain", 0.0}, t + 6s);
  ASSERT_EQ(port.sent.size(), 2u);
  player.message("room/player", R"({"state":"play","volume":42,"source":"rain"})", t + 6s);
  std::vector<Clock::duration> resent_at;
  for (auto at = t + 6s; at < t + 40s; at += 20ms) {
    std::size_t before = port.sent.size();
    player.apply({false, "rain", 0.0}, at);
    if (port.sent.size() > before) resent_at.push_back(at - (t + 6s));
  }
  EXPECT_EQ(resent_at, (std::vector<Clock::duration>{1s, 3s, 7s, 15s, 23s, 31s}));
  for (const auto& [topic, payload] : port.sent) EXPECT_EQ(topic, "room/player/set");
  EXPECT_EQ(json::parse(port.sent.back().second)["state"], "stop");
  EXPECT_EQ(player.health(), Health::fault);
  EXPECT_NE(player.health_detail().find("did not take what it was sent after 5 tries"),
            std::string::npos);
  // It stops at last: no more resends, and online again.
  player.message("room/player", R"({"state":"stop","volume":42,"source":"rain"})", t + 40s);
  EXPECT_EQ(player.health(), Health::online);
  std::size_t sent = port.sent.size();
  player.apply({false, "rain", 0.0}, t + 60s);
  EXPECT_EQ(port.sent.size(), sent);
}

TEST(MqttPlayerDriver, AgreesOnSilenceWhateverItsVolumeAndOnPlayingToThePercent) {
  using devices::MqttPlayer;
  EXPECT_TRUE(MqttPlayer::agrees({false, "", 0.0}, {false, "", 30.0}));
  EXPECT_FALSE(MqttPlayer::agrees({false, "", 0.0}, {true, "", 0.0}));
  EXPECT_TRUE(MqttPlayer::agrees({true, "a", 41.6}, {true, "b", 42.0}));
  EXPECT_FALSE(MqttPlayer::agrees({true, "a", 40.0}, {true, "a", 100.0}));
  EXPECT_FALSE(MqttPlayer::agrees({true, "a", 40.0}, {false, "a", 40.0}));
}

TEST(MqttInputDriver, CountsPressesOfAnActionButtonWithADebounce) {
  config::Input c;
  c.role = config::InputRole::child_switch;
  c.debounce = 50ms;
  c.source = config::MqttInput{"z2m/button", "action", "single"};
  devices::MqttInput button("button", c, "");
  Clock::time_point t{1h};
  EXPECT_TRUE(button.message("z2m/button", R"({"action":"single"})", t));
  EXPECT_TRUE(button.active());
  button.message("z2m/button", R"({"action":""})", t + 5ms);
  EXPECT_FALSE(button.active());
  button.message("z2m/button", R"({"action":"single"})", t + 20ms);  // a bounce
  EXPECT_EQ(button.presses(), 1u);
  button.message("z2m/button", R"({"action":""})", t + 25ms);
  button.message("z2m/button", R"({"action":"single"})", t + 200ms);
  EXPECT_EQ(button.presses(), 2u);
  EXPECT_FALSE(button.message("z2m/other", "x", t + 1s));
  button.message("z2m/button", "not json", t + 2s);  // ignored, not a crash
  EXPECT_EQ(button.presses(), 2u);
}

}  // namespace
}  // namespace sensoryd
