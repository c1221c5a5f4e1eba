// The order in which MqttLink hands subscriptions and messages to Paho, and its bounds.
#include "devices/transport/outbound_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sensoryd {
namespace {

constexpr int kRoomyWindow = 1000;

OutboundQueue::Message retained(std::string topic, std::string payload) {
  return {std::move(topic), std::move(payload), true, {}, false};
}
OutboundQueue::Message reply(std::string topic, std::string payload = "{}") {
  return {std::move(topic), std::move(payload), false, {}, false};
}
OutboundQueue::Message urgent_reply(std::string topic) {
  return {std::move(topic), "{}", false, {}, true};
}

// Each step as "sub <filter>" or "pub <topic> <payload>".
std::vector<std::string> described(const std::vector<OutboundQueue::Step>& steps) {
  std::vector<std::string> out;
  for (const auto& step : steps) {
    if (auto* s = std::get_if<OutboundQueue::Subscription>(&step)) {
      out.push_back("sub " + s->filter);
    } else {
      const auto& m = std::get<OutboundQueue::Message>(step);
      out.push_back("pub " + m.topic + " " + m.payload);
    }
  }
  return out;
}

// The case behind a retained command answered twice: sensoryd clears it (an empty retained
// publish) and subscribes again to collect what the broker held back. Had the subscription
// reached the broker first, it would have handed the same command over once more.
TEST(OutboundQueue, ASubscriptionGoesAfterTheRetainedClearAskedForBeforeIt) {
  OutboundQueue queue;
  queue.publish(retained("room/cmd/start", ""));
  queue.subscribe("room/cmd/+");
  EXPECT_EQ(described(queue.take(kRoomyWindow)),
            (std::vector<std::string>{"pub room/cmd/start ", "sub room/cmd/+"}));
}

// On connect: the filters first, then the state, then `online`, so that a tablet that sees
// `online` finds sensoryd listening.
TEST(OutboundQueue, SubscriptionsAndRetainedStateKeepTheOrderTheyWereAskedIn) {
  OutboundQueue queue;
  queue.subscribe("room/cmd/+");
  queue.subscribe("room/user/+/cmd/+");
  queue.publish(retained("room/session", "idle"));
  queue.subscribe("homeassistant/status");
  queue.publish(retained("room/availability", "online"));
  EXPECT_EQ(
      described(queue.take(kRoomyWindow)),
      (std::vector<std::string>{"sub room/cmd/+", "sub room/user/+/cmd/+", "pub room/session idle",
                                "sub homeassistant/status", "pub room/availability online"}));
  EXPECT_FALSE(queue.has_work(kRoomyWindow));
}

TEST(OutboundQueue, AFilterWaitingAlreadyIsNotQueuedTwice) {
  OutboundQueue queue;
  queue.subscribe("room/cmd/+");
  queue.subscribe("room/cmd/+");
  EXPECT_EQ(described(queue.take(kRoomyWindow)), (std::vector<std::string>{"sub room/cmd/+"}));
  // Once taken, asking again subscribes again (the broker hands over what it held back).
  queue.subscribe("room/cmd/+");
  EXPECT_EQ(described(queue.take(kRoomyWindow)), (std::vector<std::string>{"sub room/cmd/+"}));
}

TEST(OutboundQueue, ANewerRetainedStateTakesTheWaitingOnesPlaceAndItsOrder) {
  OutboundQueue queue;
  queue.publish(retained("room/session", "idle"));
  queue.subscribe("room/cmd/+");
  queue.publish(retained("room/devices", "a"));
  queue.publish(retained("room/session", "running"));
  EXPECT_EQ(described(queue.take(kRoomyWindow)),
            (std::vector<std::string>{"pub room/session running", "sub room/cmd/+",
                                      "pub room/devices a"}));
}

TEST(OutboundQueue, StateThenEStopRepliesThenOthersAsTheWindowAllows) {
  OutboundQueue queue;
  queue.publish(reply("room/reply", "1"));
  queue.publish(reply("room/reply", "2"));
  queue.publish(reply("room/reply", "3"));
  queue.publish(urgent_reply("room/reply"));
  queue.publish(retained("room/session", "stopping"));
  // A window of 3: the state and the E-stop's reply take two places, one reply goes.
  EXPECT_EQ(described(queue.take(3)),
            (std::vector<std::string>{"pub room/session stopping", "pub room/reply {}",
                                      "pub room/reply 1"}));
  EXPECT_FALSE(queue.has_work(0));  // others wait for room in the window
  EXPECT_TRUE(queue.has_work(1));
  EXPECT_EQ(described(queue.take(5)),
            (std::vector<std::string>{"pub room/reply 2", "pub room/reply 3"}));
}

TEST(OutboundQueue, StateAndEStopRepliesGoEvenWithTheWindowFull) {
  OutboundQueue queue;
  queue.publish(reply("room/reply", "late"));
  queue.publish(urgent_reply("room/reply"));
  queue.publish(retained("room/session", "stopping"));
  EXPECT_TRUE(queue.has_work(0));
  EXPECT_EQ(described(queue.take(0)),
            (std::vector<std::string>{"pub room/session stopping", "pub room/reply {}"}));
  EXPECT_FALSE(queue.has_work(0));
}

TEST(OutboundQueue, OthersBeyondTheBoundAreDroppedAndCountedNeverStateOrEStopReplies) {
  OutboundQueue queue;
  for (std::size_t i = 0; i < OutboundQueue::kMaxOthers + 5; ++i) {
    queue.publish(reply("room/reply", std::to_string(i)));
  }
  queue.publish(urgent_reply("room/reply"));
  queue.publish(retained("room/session", "idle"));
  EXPECT_EQ(queue.take_dropped(), 5u);
  EXPECT_EQ(queue.take_dropped(), 0u);
  auto steps = queue.take(kRoomyWindow * 10);
  ASSERT_EQ(steps.size(), OutboundQueue::kMaxOthers + 2);
  EXPECT_EQ(described({steps.back()}),
            (std::vector<std::string>{"pub room/reply " +
                                      std::to_string(OutboundQueue::kMaxOthers - 1)}));
}

}  // namespace
}  // namespace sensoryd
