// DurableOutbox: events wait for their records and keep their order; a reply waits for its own
// command's records and for the state it changed, never for another command's records.
#include "daemon/app/durable_outbox.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_broker.hpp"

namespace sensoryd {
namespace {

std::vector<std::string> payloads(const test::FakeBroker& link) {
  std::vector<std::string> out;
  for (const auto& p : link.published) out.push_back(p.payload);
  return out;
}

TEST(DurableOutbox, EventsGoOnlyOnceTheirRecordsAreWrittenAndInTheirOrder) {
  test::FakeBroker link;
  DurableOutbox outbox(link);
  outbox.event(1, "events", "e1");
  outbox.event(2, "events", "e2");
  outbox.event(3, "events", "e3");
  outbox.flush(false);
  EXPECT_TRUE(link.published.empty());
  outbox.written(2);
  outbox.flush(false);
  EXPECT_EQ(payloads(link), (std::vector<std::string>{"e1", "e2"}));
  outbox.written(1);  // news that arrives late never takes back what is known to be written
  EXPECT_EQ(outbox.written(), 2u);
  outbox.written(3);
  outbox.flush(false);
  EXPECT_EQ(payloads(link), (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_EQ(outbox.waiting(), 0u);
}

TEST(DurableOutbox, AnEventWithoutARecordToWaitForGoesAtTheNextFlush) {
  test::FakeBroker link;
  DurableOutbox outbox(link);
  outbox.event(0, "events", "not logged");
  outbox.flush(true);  // pending state holds replies only
  EXPECT_EQ(payloads(link), (std::vector<std::string>{"not logged"}));
}

TEST(DurableOutbox, AReplyWaitsForItsRecordsAndForTheStateItChangedButNotForOthersRecords) {
  test::FakeBroker link;
  DurableOutbox outbox(link);
  outbox.event(5, "events", "another command's record");
  outbox.reply(0, "reply", "lease ok", "", false);  // recorded nothing
  outbox.reply(4, "tablets/t1/reply", "estop ok", "c-7", true);
  outbox.flush(true);
  EXPECT_TRUE(link.published.empty());  // the state they changed is not out yet
  outbox.flush(false);
  ASSERT_EQ(payloads(link), (std::vector<std::string>{"lease ok"}));
  outbox.written(4);
  outbox.flush(false);
  ASSERT_EQ(payloads(link), (std::vector<std::string>{"lease ok", "estop ok"}));
  const auto& estop = link.published.back();
  EXPECT_EQ(estop.topic, "tablets/t1/reply");
  EXPECT_EQ(estop.correlation_data, "c-7");
  EXPECT_TRUE(estop.urgent);
  EXPECT_EQ(outbox.waiting(), 1u);  // the event still waits for record 5
}

}  // namespace
}  // namespace sensoryd
