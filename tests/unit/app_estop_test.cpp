// The App's E-stop path in-process: the E-stop link of its own, pairing across both links, the
// urgent reply, and E-stops arriving while the links are torn down.
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

TEST(AppInProcess, AnEStopIsAnsweredOnTheResponseTopicWithItsCorrelationDataAndTrips) {
  AppRig rig;
  InboundMessage estop;
  estop.topic = "sensoryd/r/cmd/estop";
  estop.response_topic = "tablets/t1/reply";
  estop.correlation_data = "c-42";
  rig.broker->deliver(estop);
  EXPECT_EQ(rig.reply_payload("tablets/t1/reply")["ok"], true);
  const auto* reply = rig.broker->last("tablets/t1/reply");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->correlation_data, "c-42");
  EXPECT_TRUE(reply->urgent);  // ahead of any backlog of other replies on the link
  EXPECT_EQ(json::parse(reply->payload)["ok"], true);
  EXPECT_EQ(rig.broker->last("sensoryd/r/reply"), nullptr);  // not also on the shared topic
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/safety")->payload)["tripped"], true);
}

TEST(AppInProcess, TheEStopLinkIsSubscribedToEStopsOnlyAndSaysNothing) {
  AppRig rig(test::kInProcessRoom, true);
  EXPECT_TRUE(rig.estops->started);
  EXPECT_EQ(rig.estops->subscriptions,
            (std::vector<std::string>{"sensoryd/r/cmd/estop", "sensoryd/r/user/+/cmd/estop"}));
  EXPECT_TRUE(rig.estops->published.empty());  // state, replies and events go on the main link
}

// Counts the replies with this request id and the trips recorded, once a later command is
// answered: it is refused, and its reply waits for its refusal's record, which is written after
// anything the E-stop's copy would have recorded, so that by then all of that is out.
struct EStopEffects {
  long replies = 0;
  long trips = 0;
};
EStopEffects estop_effects(AppRig& rig, const std::string& request_id) {
  rig.broker->command("sensoryd/r/cmd/fly", R"({"request_id":"after"})");
  EXPECT_TRUE(rig.run_until([&] {
    auto replies = rig.replies();
    return std::any_of(replies.begin(), replies.end(),
                       [](const json& r) { return r["request_id"] == "after"; });
  }));
  EStopEffects effects;
  for (const auto& r : rig.replies()) effects.replies += r["request_id"] == request_id;
  for (const auto& p : rig.broker->published) {
    if (p.topic == "sensoryd/r/events" && json::parse(p.payload)["type"] == "interlock_tripped") {
      ++effects.trips;
    }
  }
  return effects;
}

TEST(AppInProcess, AnEStopArrivingOnBothLinksIsHeldRecordedAndAnsweredOnce) {
  AppRig rig(test::kInProcessRoom, true);
  rig.estops->command("sensoryd/r/user/ana/cmd/estop", R"({"request_id":"e1"})");
  rig.broker->command("sensoryd/r/user/ana/cmd/estop", R"({"request_id":"e1"})");
  EXPECT_EQ(rig.reply_payload()["ok"], true);
  EStopEffects effects = estop_effects(rig, "e1");
  EXPECT_EQ(effects.replies, 1);
  EXPECT_EQ(effects.trips, 1);
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/safety")->payload)["causes"][0]["source"],
            "ana");
}

TEST(AppInProcess, AnEStopThatOnlyOneLinkDeliversStillActs) {
  for (bool on_estop_link : {true, false}) {
    AppRig rig(test::kInProcessRoom, true);
    test::FakeBroker* link = on_estop_link ? rig.estops : rig.broker;
    link->command("sensoryd/r/cmd/estop", R"({"request_id":"e1"})");
    EXPECT_EQ(rig.reply_payload()["ok"], true) << on_estop_link;
    EXPECT_EQ(estop_effects(rig, "e1").trips, 1) << on_estop_link;
    EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/safety")->payload)["tripped"], true);
  }
}

TEST(AppInProcess, TwoIdenticalPressesOnBothLinksAreTwoEStopsEachAnsweredOnce) {
  AppRig rig(test::kInProcessRoom, true);
  // The E-stop link is ahead of the main one by both presses, as under another client's flood.
  rig.estops->command("sensoryd/r/cmd/estop", R"({"request_id":"same"})");
  rig.estops->command("sensoryd/r/cmd/estop", R"({"request_id":"same"})");
  rig.broker->command("sensoryd/r/cmd/estop", R"({"request_id":"same"})");
  rig.broker->command("sensoryd/r/cmd/estop", R"({"request_id":"same"})");
  EXPECT_EQ(estop_effects(rig, "same").replies, 2);
}

TEST(AppInProcess, EStopsArrivingWhileTheLinksAreTornDownNeverReachADestroyedPartOfTheApp) {
  // Paho can still be delivering while a link's destructor stops it. Each link here delivers
  // an E-stop (and its copy's twin on the other link) from its destructor, after every member
  // of the App declared later has gone: under ASan, an E-stop pairing destroyed before the
  // E-stop link (as it was) is a use after free.
  AppRig rig(test::kInProcessRoom, true);
  InboundMessage estop;
  estop.topic = "sensoryd/r/user/ana/cmd/estop";
  estop.payload = R"({"request_id":"late"})";
  InboundMessage stop = estop;
  stop.topic = "sensoryd/r/user/ana/cmd/stop";
  rig.broker->delivered_while_destroyed = {estop, stop, estop};
  rig.estops->delivered_while_destroyed = {estop, estop};
  rig.app.reset();  // the check is ASan's (CI runs this suite under it): no read of freed memory
  // What the late arrivals posted finds the App gone and does nothing.
  rig.io.restart();
  EXPECT_NO_THROW(rig.io.poll());
}

TEST(AppInProcess, OnlyEStopsAreTakenFromTheEStopLink) {
  AppRig rig(test::kInProcessRoom, true);
  rig.estops->command("sensoryd/r/cmd/stop", R"({"request_id":"s1"})");
  EXPECT_EQ(estop_effects(rig, "s1").replies, 0);
}

}  // namespace
}  // namespace sensoryd
