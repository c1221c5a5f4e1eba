// The App in-process, on a fake broker link: what it subscribes to and publishes on connect,
// and how it answers commands (replies, response topics, refusals, retained commands). The
// room's only bus is a serial one on /dev/null, so nothing is reached and no socket is opened;
// or, through the App's bus factory, a FakeBus, so that the whole room runs in-process.
#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "daemon/app/app.hpp"
#include "tests/support/fake_broker.hpp"
#include "tests/support/fake_bus.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd {
namespace {

using nlohmann::json;

// The in-process room with `mqtt_keys` added to its [mqtt] table.
std::string room_with_mqtt(const std::string& mqtt_keys) {
  std::string room = test::kInProcessRoom;
  const std::string uri = "uri = \"tcp://127.0.0.1:1\"\n";
  room.insert(room.find(uri) + uri.size(), mqtt_keys);
  return room;
}

struct AppRig {
  // With `estop_link`, E-stops have a fake link of their own too, as the daemon's do.
  // With `fake_buses`, every bus is a FakeBus (`buses`) that the rig pumps as the logic thread
  // runs: the whole room in-process, equipment included.
  explicit AppRig(const std::string& room_text = test::kInProcessRoom, bool estop_link = false,
                  bool fake_buses = false) {
    auto loaded = test::write_in_process_room(dir.path(), room_text);
    if (!loaded.room) {
      for (const auto& e : loaded.diagnostics.errors) ADD_FAILURE() << e.to_string();
      throw std::runtime_error("the test room does not load");
    }
    auto fake = std::make_unique<test::FakeBroker>();
    broker = fake.get();
    AppOptions options;
    options.state_dir = dir.path();
    if (fake_buses) {
      options.make_bus = [this](const config::ModbusBus& bus) {
        auto fake_bus = std::make_unique<test::FakeBus>();
        buses[bus.id] = fake_bus.get();
        return fake_bus;
      };
    }
    std::unique_ptr<test::FakeBroker> estop_fake;
    if (estop_link) {
      estop_fake = std::make_unique<test::FakeBroker>();
      estops = estop_fake.get();
    }
    app = std::make_unique<App>(*loaded.room, io, options, std::move(fake), std::move(estop_fake));
    app->start();
    broker->connect();
    if (estops != nullptr) estops->connect();
  }

  // Runs the logic thread until the next reply on `topic` is out (the drain, the log writer's
  // news), and returns it.
  json reply_payload(const std::string& topic = "sensoryd/r/reply") {
    auto count = [&] {
      return std::count_if(broker->published.begin(), broker->published.end(),
                           [&](const auto& p) { return p.topic == topic; });
    };
    auto& seen = replies_seen[topic];
    if (!run_until([&] { return count() > seen; })) return json();
    seen = count();
    return json::parse(broker->last(topic)->payload);
  }
  std::map<std::string, std::ptrdiff_t> replies_seen;

  // Runs the App's handlers until `done` holds, or fails the test after 5 s.
  template <typename Done>
  bool run_until(Done done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "the App did not get there within 5 s";
        return false;
      }
      io.run_one_for(std::chrono::milliseconds(buses.empty() ? 50 : 5));
      for (auto& [id, bus] : buses) {  // the equipment answers what was sent and polled
        bus->deliver();
        bus->poll();
      }
    }
    return true;
  }

  // Every reply published so far, on any topic, in order.
  std::vector<json> replies() const {
    std::vector<json> out;
    for (const auto& p : broker->published) {
      if (p.topic.find("reply") != std::string::npos) out.push_back(json::parse(p.payload));
    }
    return out;
  }

  test::TempDir dir;
  asio::io_context io;
  test::FakeBroker* broker = nullptr;
  test::FakeBroker* estops = nullptr;           // the E-stop link, when asked for
  std::map<std::string, test::FakeBus*> buses;  // with fake buses: each, owned by the App
  std::unique_ptr<App> app;
};

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

}  // namespace
}  // namespace sensoryd

namespace sensoryd {
namespace {

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
