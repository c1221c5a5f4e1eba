// StatePublisher: the room's retained state on a fake broker, over a ControlRig's session and
// safety at simulated time. What goes out, when, and what is not sent again.
#include "daemon/app/state_publisher.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/control_rig.hpp"
#include "tests/support/fake_broker.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class StatePublisherTest : public ::testing::Test {
 protected:
  StatePublisherTest()
      : scene(rig.room(), {}, {}),
        publisher(StateSources{rig.room(), *rig.control, *rig.supervisor, scene, mqtt_inputs,
                               [this] { return log_error; }},
                  broker, "sensoryd/room-r/", 20ms) {
    broker.up = true;
  }

  // The topics published since the last call, in order.
  std::vector<std::string> sent() {
    std::vector<std::string> topics;
    for (std::size_t i = seen; i < broker.published.size(); ++i) {
      EXPECT_TRUE(broker.published[i].retained) << broker.published[i].topic;
      topics.push_back(broker.published[i].topic);
    }
    seen = broker.published.size();
    return topics;
  }
  json last(const std::string& topic) {
    for (auto it = broker.published.rbegin(); it != broker.published.rend(); ++it) {
      if (it->topic == topic) return json::parse(it->payload);
    }
    ADD_FAILURE() << "nothing on " << topic;
    return {};
  }

  test::ControlRig rig;
  SceneGuard scene;
  std::vector<std::unique_ptr<devices::MqttInput>> mqtt_inputs;
  std::string log_error;
  test::FakeBroker broker;
  StatePublisher publisher;
  std::size_t seen = 0;
};

using Topics = std::vector<std::string>;

TEST_F(StatePublisherTest, AConnectSendsEverythingRetained) {
  publisher.connected(rig.t);
  EXPECT_EQ(sent(), (Topics{"sensoryd/room-r/profiles", "sensoryd/room-r/children",
                            "sensoryd/room-r/limits", "sensoryd/room-r/session",
                            "sensoryd/room-r/devices/swing", "sensoryd/room-r/devices/estop",
                            "sensoryd/room-r/devices/door", "sensoryd/room-r/safety"}));
  EXPECT_EQ(last("sensoryd/room-r/session")["state"], "idle");
  // The editor's ranges are the supervisor's: the room's own limits.
  EXPECT_EQ(last("sensoryd/room-r/limits")["swing"]["max_amplitude_deg"],
            rig.room().limits.swing.max_amplitude_deg);
  EXPECT_EQ(last("sensoryd/room-r/limits")["profile"]["max_steps"], 100);
  // A reconnect sends everything again, unchanged or not: the broker may have lost it.
  publisher.connected(rig.t);
  EXPECT_EQ(sent().size(), 8u);
}

// Two rooms that share an id behind one clinic broker are told apart by the run each session
// message names (docs/clinic.md): a run keeps its instance, another run draws its own.
TEST_F(StatePublisherTest, TheSessionNamesThisRunOfSensoryd) {
  publisher.connected(rig.t);
  std::string instance = last("sensoryd/room-r/session")["instance"];
  EXPECT_EQ(instance, publisher.instance());
  ASSERT_EQ(instance.size(), 16u);
  EXPECT_EQ(instance.find_first_not_of("0123456789abcdef"), std::string::npos) << instance;
  ASSERT_TRUE(rig.command("start").ok);
  publisher.session(rig.t);
  EXPECT_EQ(last("sensoryd/room-r/session")["instance"], instance);
  StatePublisher another(StateSources{rig.room(), *rig.control, *rig.supervisor, scene, mqtt_inputs,
                                      [] { return std::string{}; }},
                         broker, "sensoryd/room-r/", 20ms);
  EXPECT_NE(another.instance(), instance);
}

TEST_F(StatePublisherTest, UnchangedDevicesAndSafetyAreNotSentAgainWhileConnected) {
  publisher.connected(rig.t);
  sent();
  publisher.tick(rig.t + 1s);  // a second passed: devices and safety looked at, none changed
  EXPECT_EQ(sent(), Topics{});
  // Down: nothing is remembered as sent, so the next try sends (session, 3 devices, safety).
  broker.up = false;
  publisher.tick(rig.t + 2s);
  EXPECT_EQ(sent().size(), 5u);
}

TEST_F(StatePublisherTest, AStateChangeGoesOutAtMostOncePerTickUnlessAskedAtOnce) {
  publisher.connected(rig.t);
  sent();
  EXPECT_FALSE(publisher.state_pending());
  EXPECT_FALSE(publisher.publish_state(rig.t, true));  // nothing changed: nothing to send
  ASSERT_TRUE(rig.command("start").ok);
  publisher.state_changed();
  EXPECT_TRUE(publisher.state_pending());
  ASSERT_TRUE(publisher.publish_state(rig.t, true));
  // The session and safety (its lease began).
  EXPECT_EQ(sent(), (Topics{"sensoryd/room-r/session", "sensoryd/room-r/safety"}));
  EXPECT_EQ(last("sensoryd/room-r/session")["state"], "running");
  ASSERT_TRUE(rig.command("pause").ok);
  publisher.state_changed();
  EXPECT_FALSE(publisher.publish_state(rig.t + 10ms, false));  // within the tick: waits
  EXPECT_TRUE(publisher.state_pending());
  EXPECT_EQ(sent(), Topics{});
  EXPECT_TRUE(publisher.publish_state(rig.t + 20ms, false));
  EXPECT_FALSE(publisher.state_pending());
  EXPECT_EQ(sent(), (Topics{"sensoryd/room-r/session"}));
  EXPECT_EQ(last("sensoryd/room-r/session")["state"], "paused");
}

TEST_F(StatePublisherTest, TheSessionIsLookedAtEachSecondAndSentWhenItChanged) {
  publisher.connected(rig.t);
  sent();
  publisher.tick(rig.t + 1500ms);
  EXPECT_EQ(sent(), Topics{});  // idle, unchanged
  ASSERT_TRUE(rig.command("start").ok);
  auto sessions = [this] {
    Topics topics = sent();
    return std::count(topics.begin(), topics.end(), "sensoryd/room-r/session");
  };
  publisher.tick(rig.t + 3s);
  EXPECT_EQ(sessions(), 1);
  EXPECT_EQ(last("sensoryd/room-r/session")["state"], "running");
  EXPECT_EQ(last("sensoryd/room-r/session")["profile"], "calm");
  publisher.tick(rig.t + 3500ms);  // within the second
  EXPECT_EQ(sessions(), 0);
  publisher.tick(rig.t + 4s);  // a second on: its times changed
  EXPECT_EQ(sessions(), 1);
}

TEST_F(StatePublisherTest, TheSessionSaysWhichActionsACommandMayTakeNow) {
  using Names = std::vector<std::string>;
  auto allowed = [this] {
    Names names;
    json session = last("sensoryd/room-r/session");
    for (const auto& a : session["allowed_actions"]) names.push_back(a);
    return names;
  };
  publisher.connected(rig.t);
  EXPECT_EQ(allowed(), (Names{"start", "estop"}));
  ASSERT_TRUE(rig.command("start").ok);
  publisher.session(rig.t);
  EXPECT_EQ(allowed(), (Names{"stop", "pause", "next", "previous", "adjust", "lease", "estop",
                              "note", "response"}));
  ASSERT_TRUE(rig.command("pause").ok);
  publisher.session(rig.t);
  EXPECT_EQ(allowed(), (Names{"stop", "resume", "adjust", "lease", "estop", "note", "response"}));
}

TEST_F(StatePublisherTest, ADeviceChangeIsSentWithTheNextTickAndTheLogsFailureWithSafety) {
  publisher.connected(rig.t);
  sent();
  rig.bus.discrete[{test::ControlRig::kDoor, 0}] = 1;  // the door opens
  rig.bus.poll();
  rig.bus.deliver();
  publisher.devices_changed();
  publisher.tick(rig.t + 20ms);
  EXPECT_EQ(sent(), (Topics{"sensoryd/room-r/devices/door"}));
  log_error = "disk full";
  publisher.safety(rig.t + 40ms);
  EXPECT_EQ(sent(), (Topics{"sensoryd/room-r/safety"}));
  EXPECT_EQ(last("sensoryd/room-r/safety")["session_log"],
            (json{{"ok", false}, {"detail", "disk full"}}));
}

}  // namespace
}  // namespace sensoryd
