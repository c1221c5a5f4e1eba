// The bounded intake between the broker and the logic thread: E-stops first, leases coalesced,
// commands beyond its room refused busy (a bounded number answered), device messages dropped,
// and one drain scheduled at a time.
#include <gtest/gtest.h>

#include "daemon/app/intake.hpp"

namespace sensoryd {
namespace {

InboundMessage message(const std::string& topic, const std::string& payload = "{}") {
  InboundMessage m;
  m.topic = topic;
  m.payload = payload;
  return m;
}

InboundMessage command(const std::string& action, const std::string& id) {
  return message("sensoryd/r/cmd/" + action, R"({"request_id":")" + id + "\"}");
}

std::vector<std::string> payloads(const std::vector<InboundMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.payload);
  return out;
}

TEST(Intake, OneDrainIsScheduledUntilATakeFindsTheQueueEmpty) {
  Intake intake("sensoryd/r/");
  EXPECT_TRUE(intake.push(command("next", "1")));
  EXPECT_FALSE(intake.push(command("next", "2")));  // the drain already asked for takes it
  auto batch = intake.take(1);
  EXPECT_EQ(batch.messages.size(), 1u);
  EXPECT_TRUE(batch.more);
  EXPECT_FALSE(intake.push(command("next", "3")));  // the drain goes on: no second one
  batch = intake.take(10);
  EXPECT_EQ(batch.messages.size(), 2u);
  EXPECT_FALSE(batch.more);
  EXPECT_TRUE(intake.push(command("next", "4")));  // idle again: a new drain is needed
}

TEST(Intake, EStopsJumpTheQueueAndTheRestKeepTheirOrder) {
  Intake intake("sensoryd/r/");
  intake.push(command("next", "a"));
  intake.push(message("lights/l1/state", "on"));
  intake.push(command("estop", "stop"));
  intake.push(command("previous", "b"));
  auto batch = intake.take(10);
  EXPECT_EQ(payloads(batch.messages),
            (std::vector<std::string>{R"({"request_id":"stop"})", R"({"request_id":"a"})", "on",
                                      R"({"request_id":"b"})"}));
}

TEST(Intake, AnEStopOnTheAuthenticatedPathJumpsTheQueueToo) {
  Intake intake("sensoryd/r/");
  intake.push(command("next", "a"));
  intake.push(message("sensoryd/r/user/ana/cmd/estop", R"({"request_id":"stop"})"));
  auto batch = intake.take(10);
  EXPECT_EQ(payloads(batch.messages),
            (std::vector<std::string>{R"({"request_id":"stop"})", R"({"request_id":"a"})"}));
}

TEST(Intake, AQueuedLeaseIsReplacedByANewerOneInItsPlace) {
  Intake intake("sensoryd/r/");
  intake.push(command("lease", "l1"));
  intake.push(command("next", "n"));
  for (int i = 2; i <= 1000; ++i) intake.push(command("lease", "l" + std::to_string(i)));
  auto batch = intake.take(10);
  EXPECT_EQ(payloads(batch.messages),
            (std::vector<std::string>{R"({"request_id":"l1000"})", R"({"request_id":"n"})"}));
  EXPECT_EQ(intake.take_counts().leases_coalesced, 999u);
  // Once taken, a lease is no longer coalesced with: the next one is queued as itself.
  intake.push(command("lease", "later"));
  EXPECT_EQ(intake.take(10).messages.size(), 1u);
}

TEST(Intake, ARetainedLeaseIsNotCoalescedSoThatItIsRefusedAsRetained) {
  Intake intake("sensoryd/r/");
  intake.push(command("lease", "live"));
  auto retained = command("lease", "old");
  retained.retained = true;
  intake.push(retained);
  EXPECT_EQ(intake.take(10).messages.size(), 2u);
}

// Thousands of retained commands (a broker hands them all over at a reconnect) each reach the
// logic thread to be cleared, none refused busy, and the lane keeps only a small part of each.
TEST(Intake, RetainedCommandsHaveALaneOfTheirOwnAndKeepLittleOfTheirPayload) {
  Intake intake("sensoryd/r/");
  std::string big = R"({"request_id":"x","text":")" + std::string(10'000, 'a') + "\"}";
  for (int i = 0; i < 4096; ++i) {
    InboundMessage m = message("sensoryd/r/user/ana/cmd/r" + std::to_string(i), big);
    m.retained = true;
    intake.push(m);
  }
  intake.push(command("next", "live"));  // a live command is not held behind them
  InboundMessage cleared = message("sensoryd/r/user/ana/cmd/r0", "");
  cleared.retained = true;  // sensoryd's own clearing, coming back: nothing to do
  intake.push(cleared);
  EXPECT_EQ(intake.queued(), 4096u + 1u);
  auto batch = intake.take(16);
  EXPECT_EQ(batch.messages.front().payload, R"({"request_id":"live"})");
  EXPECT_TRUE(batch.busy.empty());
  for (std::size_t i = 1; i < batch.messages.size(); ++i) {
    EXPECT_TRUE(batch.messages[i].retained);
    EXPECT_EQ(batch.messages[i].payload, "");  // not kept: over kRetainedPayloadKept
    EXPECT_EQ(batch.messages[i].payload_bytes, big.size());
  }
  std::size_t taken = batch.messages.size();
  while (batch.more) {
    batch = intake.take(16);
    taken += batch.messages.size();
  }
  EXPECT_EQ(taken, 4096u + 1u);
  EXPECT_FALSE(intake.take_counts().any());
}

TEST(Intake, RetainedCommandsBeyondTheirLaneAreLeftOnTheBrokerAndCounted) {
  Intake::Limits limits;
  limits.retained_commands = 3;
  Intake intake("sensoryd/r/", limits);
  for (int i = 0; i < 5; ++i) {
    InboundMessage m = command("next", std::to_string(i));
    m.retained = true;
    intake.push(m);
  }
  auto batch = intake.take(16);
  EXPECT_EQ(payloads(batch.messages),
            (std::vector<std::string>{R"({"request_id":"0"})", R"({"request_id":"1"})",
                                      R"({"request_id":"2"})"}));  // small: kept whole
  EXPECT_EQ(intake.take_counts().retained_left, 2u);
}

TEST(Intake, CommandsBeyondItsRoomAreRefusedBusyAndOnlyABoundedNumberAnswered) {
  Intake intake("sensoryd/r/", Intake::Limits{4, 2, 3, 5});
  for (int i = 0; i < 20; ++i) intake.push(command("next", std::to_string(i)));
  for (int i = 0; i < 5; ++i) intake.push(command("estop", "e" + std::to_string(i)));
  EXPECT_EQ(intake.queued(), 4u + 2u + 3u);  // memory is bounded whatever arrives
  auto batch = intake.take(100);
  EXPECT_EQ(batch.messages.size(), 2u + 4u);  // two E-stops, then the four commands
  EXPECT_EQ(payloads(batch.busy),
            (std::vector<std::string>{R"({"request_id":"4"})", R"({"request_id":"5"})",
                                      R"({"request_id":"6"})"}));
  auto counts = intake.take_counts();
  EXPECT_EQ(counts.commands_dropped, 20u - 4u - 3u);
  EXPECT_EQ(counts.estops_coalesced, 3u);
  EXPECT_FALSE(intake.take_counts().any());  // counted once
}

TEST(Intake, DeviceMessagesBeyondTheirRoomAreDroppedAndCounted) {
  Intake intake("sensoryd/r/", Intake::Limits{4, 2, 3, 5});
  for (int i = 0; i < 8; ++i) intake.push(message("switches/s1", std::to_string(i)));
  intake.push(command("next", "still room"));  // a command has its own room
  auto batch = intake.take(100);
  EXPECT_EQ(batch.messages.size(), 6u);
  EXPECT_EQ(batch.messages.back().payload, R"({"request_id":"still room"})");
  EXPECT_EQ(intake.take_counts().device_messages_dropped, 3u);
}

}  // namespace
}  // namespace sensoryd
