// The App in-process, on a fake broker link: what it subscribes to and publishes on connect,
// and how it answers commands (replies, response topics, refusals, retained commands, floods,
// payloads over the link's ceiling). The room's only bus is a serial one on /dev/null, so
// nothing is reached and no socket is opened.
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

TEST(AppInProcess, OnConnectItSubscribesToCommandsAndPublishesItsRetainedState) {
  AppRig rig;
  EXPECT_TRUE(rig.broker->started);
  EXPECT_NE(std::find(rig.broker->subscriptions.begin(), rig.broker->subscriptions.end(),
                      "sensoryd/r/cmd/+"),
            rig.broker->subscriptions.end());
  for (const char* topic : {"sensoryd/r/session", "sensoryd/r/safety", "sensoryd/r/profiles",
                            "sensoryd/r/devices/swing"}) {
    const auto* state = rig.broker->last(topic);
    ASSERT_NE(state, nullptr) << topic;
    EXPECT_TRUE(state->retained) << topic;
  }
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/session")->payload)["state"], "idle");
}

TEST(AppInProcess, ItPublishesEachChildWithTheProfilesAStartWouldRefuseAndWhy) {
  AppRig rig;
  const auto* children = rig.broker->last("sensoryd/r/children");
  ASSERT_NE(children, nullptr);
  EXPECT_TRUE(children->retained);
  json list = json::parse(children->payload);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], "c-1");
  EXPECT_EQ(list[0]["flags"], json::array({"photosensitive"}));
  EXPECT_TRUE(list[0]["contraindicated"].empty());  // "calm" has no strobe
  EXPECT_EQ(list[1]["id"], "c-2");
  ASSERT_EQ(list[1]["contraindicated"].size(), 1u);
  EXPECT_EQ(list[1]["contraindicated"][0]["profile"], "calm");
  EXPECT_EQ(list[1]["contraindicated"][0]["code"], "contraindicated");

  // The list says exactly what a start for that child is answered.
  rig.broker->command("sensoryd/r/cmd/start",
                      R"({"request_id":"c2","profile":"calm","child":"c-2"})");
  json reply = rig.reply_payload();
  EXPECT_EQ(reply["error"]["code"], "contraindicated");
  EXPECT_EQ(reply["error"]["message"], list[1]["contraindicated"][0]["message"]);
}

TEST(AppInProcess, ACommandOnAUsersPathIsThatUsersWhateverThePayloadSays) {
  AppRig rig;
  rig.broker->command("sensoryd/r/user/ana/cmd/estop",
                      R"({"request_id":"e1","therapist":"mallory"})");
  json reply = rig.reply_payload();
  EXPECT_EQ(reply["ok"], true) << reply.dump();
  EXPECT_TRUE(rig.broker->last("sensoryd/r/reply")->urgent);
  json safety = json::parse(rig.broker->last("sensoryd/r/safety")->payload);
  ASSERT_FALSE(safety["causes"].empty()) << safety.dump();
  EXPECT_EQ(safety["causes"][0]["source"], "ana");
}

TEST(AppInProcess, WithIdentityRequiredACommandOnTheOpenPathIsRefusedAndChangesNothing) {
  AppRig rig(room_with_mqtt("require_identity = true\n"));
  const auto& subscriptions = rig.broker->subscriptions;
  auto subscribed = [&](const std::string& topic) {
    return std::find(subscriptions.begin(), subscriptions.end(), topic) != subscriptions.end();
  };
  EXPECT_TRUE(subscribed("sensoryd/r/user/+/cmd/+"));
  EXPECT_TRUE(subscribed("sensoryd/r/cmd/+"));  // to answer it, below
  rig.broker->command("sensoryd/r/cmd/estop", R"({"request_id":"open"})");
  json reply = rig.reply_payload();
  EXPECT_EQ(reply["request_id"], "open");
  EXPECT_EQ(reply["error"]["code"], "identity_required");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("sensoryd/r/user/"),
            std::string::npos);
  EXPECT_FALSE(json::parse(rig.broker->last("sensoryd/r/safety")->payload)["tripped"]);
  rig.broker->command("sensoryd/r/user/ana/cmd/estop", R"({"request_id":"signed"})");
  reply = rig.reply_payload();
  EXPECT_EQ(reply["ok"], true) << reply.dump();
}

TEST(AppInProcess, TheStartIsRecordedWithTheConfigurationsFilesLoosenedLimitsAndTrigger) {
  AppRig rig;
  auto loaded = [&]() -> json {
    for (const auto& p : rig.broker->published) {
      if (p.topic != "sensoryd/r/events") continue;
      json event = json::parse(p.payload);
      if (event["type"] == "config_loaded") return event;
    }
    return json();
  };
  ASSERT_TRUE(rig.run_until([&] { return !loaded().is_null(); }));
  json event = loaded();
  EXPECT_EQ(event["trigger"], "start");
  EXPECT_EQ(event["config_sha256"].get<std::string>().size(), 64u);
  ASSERT_EQ(event["files"].size(), 3u);  // room.toml and its two profiles
  EXPECT_NE(event["files"][0].get<std::string>().find("room.toml"), std::string::npos);
  ASSERT_EQ(event["loosened"].size(), 1u);
  EXPECT_EQ(event["loosened"][0].get<std::string>().rfind("limits.devices.estop_required = ", 0),
            0u)
      << event["loosened"][0];
}

TEST(AppInProcess, ARefusedCommandIsAnsweredWithItsCodeAndRecordedAsAnEvent) {
  AppRig rig;
  rig.broker->command("sensoryd/r/cmd/start", R"({"request_id":"a1","profile":"nope"})");
  json reply = rig.reply_payload();
  EXPECT_EQ(reply["request_id"], "a1");
  EXPECT_EQ(reply["ok"], false);
  EXPECT_EQ(reply["error"]["code"], "unknown_profile");
  EXPECT_FALSE(rig.broker->last("sensoryd/r/reply")->urgent);  // only an E-stop's reply is
  const auto* event = rig.broker->last("sensoryd/r/events");
  ASSERT_NE(event, nullptr);
  EXPECT_FALSE(event->retained);
  EXPECT_EQ(json::parse(event->payload)["type"], "command_refused");

  rig.broker->command("sensoryd/r/cmd/start", "{not json");
  EXPECT_EQ(rig.reply_payload()["error"]["code"], "bad_request");
}

TEST(AppInProcess, AStartWhileTheDriveIsUnreachableIsRefusedAsDeviceUnavailable) {
  AppRig rig;
  rig.broker->command("sensoryd/r/cmd/start", R"({"request_id":"s","profile":"calm"})");
  EXPECT_EQ(rig.reply_payload()["error"]["code"], "device_unavailable");
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/session")->payload)["state"], "idle");
}

TEST(AppInProcess, ARetainedCommandIsRefusedAsRetainedAndNeverActedOn) {
  AppRig rig;
  InboundMessage retained;
  retained.topic = "sensoryd/r/cmd/estop";
  retained.payload = R"({"request_id":"old"})";
  retained.retained = true;
  rig.broker->deliver(retained);
  json reply = rig.reply_payload();
  EXPECT_EQ(reply["request_id"], "old");
  EXPECT_EQ(reply["error"]["code"], "retained_command");
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/safety")->payload)["tripped"], false);
  // Cleared from the broker: an empty retained message on its topic...
  const auto* cleared = rig.broker->last("sensoryd/r/cmd/estop");
  ASSERT_NE(cleared, nullptr);
  EXPECT_TRUE(cleared->retained);
  EXPECT_EQ(cleared->payload, "");
  // ...which, coming back, is not answered: the next reply is the next command's.
  retained.payload = "";
  rig.broker->deliver(retained);
  rig.broker->command("sensoryd/r/cmd/stop", R"({"request_id":"next"})");
  EXPECT_EQ(rig.reply_payload()["request_id"], "next");
}

TEST(AppInProcess, AFloodOfCommandsIsRefusedBusyAtABoundedRateAndLeasesAreCoalesced) {
  AppRig rig;
  // Delivered faster than the logic thread turns: nothing is handled until the io runs.
  for (int i = 0; i < 2000; ++i) {
    rig.broker->command("sensoryd/r/cmd/lease", R"({"request_id":"l)" + std::to_string(i) + "\"}");
  }
  for (int i = 0; i < 1000; ++i) {
    rig.broker->command("sensoryd/r/cmd/next", R"({"request_id":"n)" + std::to_string(i) + "\"}");
  }
  rig.broker->command("sensoryd/r/cmd/estop", R"({"request_id":"stop"})");
  rig.run_until([&] {
    for (const auto& r : rig.replies()) {
      if (r.value("request_id", "") == "stop") return true;
    }
    return false;
  });
  // The E-stop jumped the queue: the trip was published before any other command was
  // answered (its own reply waits for its record to reach the disk).
  std::ptrdiff_t tripped = -1;
  std::ptrdiff_t first_reply = -1;
  const auto& published = rig.broker->published;
  for (std::size_t i = 0; i < published.size(); ++i) {
    bool is_reply = published[i].topic == "sensoryd/r/reply";
    if (is_reply && first_reply < 0) first_reply = static_cast<std::ptrdiff_t>(i);
    if (published[i].topic == "sensoryd/r/safety" && tripped < 0 &&
        json::parse(published[i].payload).value("tripped", false)) {
      tripped = static_cast<std::ptrdiff_t>(i);
    }
  }
  ASSERT_GE(tripped, 0);
  EXPECT_LT(tripped, first_reply);
  for (const auto& r : rig.replies()) {
    if (r.value("request_id", "") == "stop") {
      EXPECT_EQ(r["ok"], true);
    }
  }
  // The E-stop, the lease, the 255 other commands the queue held, and the busy answers.
  rig.run_until([&] { return rig.replies().size() >= 1 + 1 + 255 + 20; });
  int leases = 0;
  int busy = 0;
  int next = 0;
  for (const auto& r : rig.replies()) {
    std::string id = r.value("request_id", "");
    if (id.starts_with("l")) ++leases;
    if (id.starts_with("n")) ++next;
    if (!r.value("ok", true) && r["error"]["code"] == "busy") ++busy;
  }
  EXPECT_EQ(leases, 1);         // 2000 leases coalesced into the latest one
  EXPECT_EQ(busy, 20);          // the rate of busy answers, of the 32 the Intake kept to answer
  EXPECT_EQ(next - busy, 255);  // the queue's room (256) less the one lease
}

// Over MqttLink's ceiling a message arrives without its payload (payload_bytes says how big it
// was): a command is answered as too large, an E-stop among them is not held or acted on, and
// anything else is dropped.
TEST(AppInProcess, AMessageOverTheLinksCeilingIsRefusedAsTooLargeAndNothingActs) {
  AppRig rig;
  InboundMessage note;
  note.topic = "sensoryd/r/cmd/note";
  note.payload_bytes = 250u * 1024 * 1024;
  rig.broker->deliver(note);
  json reply = rig.reply_payload();
  EXPECT_EQ(reply["error"]["code"], "bad_request");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("larger than 16384 bytes"),
            std::string::npos);
  InboundMessage estop;
  estop.topic = "sensoryd/r/cmd/estop";
  estop.payload_bytes = 70 * 1024;
  rig.broker->deliver(estop);
  EXPECT_EQ(rig.reply_payload()["error"]["code"], "bad_request");
  EXPECT_EQ(json::parse(rig.broker->last("sensoryd/r/safety")->payload)["tripped"], false);
}

}  // namespace
}  // namespace sensoryd
