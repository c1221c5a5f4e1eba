// EstopPairing: each E-stop acts once whether one link or both deliver it.
#include "daemon/app/estop_pairing.hpp"

#include <gtest/gtest.h>

namespace sensoryd {
namespace {

using Link = EstopPairing::Link;
using namespace std::chrono_literals;

InboundMessage estop(const std::string& payload, const std::string& correlation = "") {
  InboundMessage message;
  message.topic = "sensoryd/r/user/ana/cmd/estop";
  message.payload = payload;
  message.correlation_data = correlation;
  return message;
}

TEST(EstopPairing, TheCopyOnTheOtherLinkIsNotAFirstArrivalWhicheverComesFirst) {
  EstopPairing pairing;
  auto t = EstopPairing::Clock::now();
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop("{}"), t));
  EXPECT_FALSE(pairing.first_arrival(Link::main, estop("{}"), t + 200ms));
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("{}"), t + 1s));
  EXPECT_FALSE(pairing.first_arrival(Link::estops, estop("{}"), t + 1s));
}

TEST(EstopPairing, APressRepeatedOnOneLinkIsTwoPressesEachPairedWithOneCopy) {
  EstopPairing pairing;
  auto t = EstopPairing::Clock::now();
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop("{}"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop("{}"), t));
  EXPECT_FALSE(pairing.first_arrival(Link::main, estop("{}"), t));
  EXPECT_FALSE(pairing.first_arrival(Link::main, estop("{}"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("{}"), t));  // a third press
}

TEST(EstopPairing, MessagesThatDifferInPayloadOrPropertiesAreNotCopies) {
  EstopPairing pairing;
  auto t = EstopPairing::Clock::now();
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop(R"({"request_id":"a"})"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop(R"({"request_id":"b"})"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop("{}", "c-1"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("{}", "c-2"), t));
  InboundMessage other_user = estop("{}", "c-1");
  other_user.topic = "sensoryd/r/user/ben/cmd/estop";
  EXPECT_TRUE(pairing.first_arrival(Link::main, other_user, t));
}

TEST(EstopPairing, AnArrivalWaitsForItsCopyOnlyForTheWindow) {
  EstopPairing pairing(5s);
  auto t = EstopPairing::Clock::now();
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("{}"), t));
  // The E-stop link was down: a press 6 s later is a press of its own on that link.
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop("{}"), t + 6s));
}

TEST(EstopPairing, AtMostCapacityWaitTheOldestGivingWay) {
  EstopPairing pairing(10s, 2);
  auto t = EstopPairing::Clock::now();
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("1"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("2"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::main, estop("3"), t));
  EXPECT_TRUE(pairing.first_arrival(Link::estops, estop("1"), t));  // forgotten: acts again
  EXPECT_FALSE(pairing.first_arrival(Link::estops, estop("3"), t));
}

}  // namespace
}  // namespace sensoryd
