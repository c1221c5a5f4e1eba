// InboundGate: what a message does on a link's receive thread (hold, pair, queue), and that a
// closed gate lets nothing through to the App.
#include "daemon/app/inbound_gate.hpp"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_broker.hpp"

namespace sensoryd {
namespace {

using Link = InboundGate::Link;

InboundMessage message(const std::string& topic, const std::string& payload = "{}") {
  InboundMessage m;
  m.topic = topic;
  m.payload = payload;
  return m;
}

struct GateRig {
  explicit GateRig(bool require_identity = false)
      : gate(std::make_shared<InboundGate>(
            "sensoryd/r/", require_identity,
            InboundGate::Hooks{[this] { ++holds; }, [this] { ++drains; }})) {}
  std::vector<InboundMessage> taken() {
    auto batch = gate->intake().take(100);
    return batch.messages;
  }
  int holds = 0;
  int drains = 0;
  std::shared_ptr<InboundGate> gate;
};

TEST(InboundGate, AValidEstopHoldsTheDriveOnTheReceiveThreadAndIsQueuedWithItsArrivalTime) {
  GateRig rig;
  auto before = std::chrono::system_clock::now();
  rig.gate->arrived(Link::main, message("sensoryd/r/cmd/estop"));
  EXPECT_EQ(rig.holds, 1);
  EXPECT_EQ(rig.drains, 1);
  auto taken = rig.taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_GE(taken[0].received_at, before);
}

TEST(InboundGate, AnEstopThatWouldBeRefusedDoesNotHoldTheDrive) {
  GateRig open;
  open.gate->arrived(Link::main, message("sensoryd/r/cmd/estop", "not json"));
  InboundMessage retained = message("sensoryd/r/cmd/estop");
  retained.retained = true;
  open.gate->arrived(Link::main, retained);
  EXPECT_EQ(open.holds, 0);
  EXPECT_EQ(open.taken().size(), 2u);  // both are answered on the logic thread

  GateRig signed_in(/*require_identity=*/true);
  signed_in.gate->arrived(Link::main, message("sensoryd/r/cmd/estop"));
  EXPECT_EQ(signed_in.holds, 0);  // the open path is refused identity_required
  signed_in.gate->arrived(Link::main, message("sensoryd/r/user/ana/cmd/estop"));
  EXPECT_EQ(signed_in.holds, 1);
}

TEST(InboundGate, AnEstopOnBothLinksActsOnceAndTheEstopLinkPassesNothingElse) {
  GateRig rig;
  rig.gate->arrived(Link::estops, message("sensoryd/r/cmd/estop"));
  rig.gate->arrived(Link::main, message("sensoryd/r/cmd/estop"));
  rig.gate->arrived(Link::estops, message("sensoryd/r/cmd/start", R"({"profile":"calm"})"));
  EXPECT_EQ(rig.holds, 1);
  auto taken = rig.taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].topic, "sensoryd/r/cmd/estop");
}

TEST(InboundGate, OneDrainIsScheduledUntilTheQueueIsTaken) {
  GateRig rig;
  rig.gate->arrived(Link::main, message("sensoryd/r/cmd/stop"));
  rig.gate->arrived(Link::main, message("sensoryd/r/cmd/pause"));
  EXPECT_EQ(rig.drains, 1);
  EXPECT_EQ(rig.taken().size(), 2u);
  rig.gate->arrived(Link::main, message("sensoryd/r/cmd/resume"));
  EXPECT_EQ(rig.drains, 2);
}

TEST(InboundGate, AfterCloseNothingReachesTheHooksOrTheQueue) {
  GateRig rig;
  rig.gate->close();
  rig.gate->arrived(Link::estops, message("sensoryd/r/cmd/estop"));
  rig.gate->arrived(Link::main, message("sensoryd/r/cmd/stop"));
  EXPECT_EQ(rig.holds, 0);
  EXPECT_EQ(rig.drains, 0);
  EXPECT_EQ(rig.gate->intake().queued(), 0u);
  EXPECT_EQ(rig.gate->arrivals_after_close(), 2u);
}

TEST(InboundGate, ALinksHandlerKeepsTheGateAliveAfterItsOwnerLetsGo) {
  test::FakeBroker link;
  int holds = 0;
  auto gate = std::make_shared<InboundGate>("sensoryd/r/", false,
                                            InboundGate::Hooks{[&] { ++holds; }, [] {}});
  std::weak_ptr<InboundGate> watched = gate;
  InboundGate::listen(gate, link, Link::estops);
  gate->close();
  gate.reset();
  ASSERT_FALSE(watched.expired());  // the link may still call it
  link.command("sensoryd/r/cmd/estop", "{}");
  EXPECT_EQ(holds, 0);
  EXPECT_EQ(watched.lock()->arrivals_after_close(), 1u);
}

TEST(InboundGate, ArrivalsFromTwoThreadsWhileItClosesAreEachEitherQueuedOrCounted) {
  GateRig rig;
  constexpr int kEach = 2000;
  auto send = [&](Link link, const char* topic) {
    for (int i = 0; i < kEach; ++i) {
      rig.gate->arrived(link, message(topic, "{\"request_id\":\"" + std::to_string(i) + "\"}"));
    }
  };
  std::thread a(send, Link::main, "sensoryd/r/cmd/lease");
  std::thread b(send, Link::estops, "sensoryd/r/cmd/estop");
  rig.gate->close();
  a.join();
  b.join();
  auto counts = rig.gate->intake().take_counts();
  std::size_t queued = rig.gate->intake().queued();
  // Every arrival is accounted for: queued, coalesced (leases, E-stops beyond the queue), or
  // arrived after the close; E-stops also came on the E-stop link only, so none is a copy.
  EXPECT_EQ(
      queued + counts.leases_coalesced + counts.estops_coalesced + rig.gate->arrivals_after_close(),
      2u * kEach);
}

}  // namespace
}  // namespace sensoryd
