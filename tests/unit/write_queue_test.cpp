// WriteQueue: the rules every bus's writes follow (latest wins, bits merge, order asked,
// safety holds first and never undone), apart from any thread or transport.
#include "devices/transport/write_queue.hpp"

#include <gtest/gtest.h>

namespace sensoryd::devices {
namespace {

using Key = WriteQueue::Key;

// A handler that records each result it is given into `results`.
RegisterBus::WriteHandler into(std::vector<WriteResult>& results) {
  return [&results](const WriteResult& r) { results.push_back(r); };
}

void tell(WriteQueue::Notices notices) {
  for (auto& n : notices) n.done(n.result);
}

const Key kSpeed{1, false, 10};
const Key kEnable{1, false, 11};
const Key kLamp{2, true, 0};

TEST(WriteQueue, TheLatestValueOfARegisterWinsAndTheSupersededOwnerIsTold) {
  WriteQueue queue;
  std::vector<WriteResult> first, second;
  EXPECT_TRUE(queue.write(kSpeed, RegisterWrite::single(100), into(first)).empty());
  tell(queue.write(kSpeed, RegisterWrite::single(200), into(second)));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(first[0].ok);
  EXPECT_EQ(first[0].error, "superseded by a newer value");
  auto writes = queue.take_writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].write, RegisterWrite::single(200));
  writes[0].done({true, ""});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(second[0].ok);
  EXPECT_TRUE(queue.take_writes().empty());
  EXPECT_FALSE(queue.has_work());
}

TEST(WriteQueue, WritesToOtherBitsOfARegisterGoOutAsOneAndBothOwnersHear) {
  WriteQueue queue;
  std::vector<WriteResult> results;
  EXPECT_TRUE(
      queue.write(kEnable, RegisterWrite::bits(0xFFFE, 0x0001, true), into(results)).empty());
  EXPECT_TRUE(
      queue.write(kEnable, RegisterWrite::bits(0xFFFD, 0x0000, true), into(results)).empty());
  auto writes = queue.take_writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].write.apply(0x0002), 0x0001);  // bit 0 set, bit 1 cleared
  EXPECT_EQ(writes[0].write.touched(), 0x0003);
  writes[0].done({true, ""});
  EXPECT_EQ(results.size(), 2u);
}

TEST(WriteQueue, WritesGoOutInTheOrderTheyWereLastAskedFor) {
  WriteQueue queue;
  queue.write(kEnable, RegisterWrite::single(1), nullptr);
  queue.write(kSpeed, RegisterWrite::single(5), nullptr);
  queue.write(kLamp, RegisterWrite::coil_value(true), nullptr);
  queue.write(kEnable, RegisterWrite::single(0), nullptr);  // asked again: goes last
  auto writes = queue.take_writes();
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[0].key, kSpeed);
  EXPECT_EQ(writes[1].key, kLamp);
  EXPECT_EQ(writes[2].key, kEnable);
  EXPECT_EQ(writes[2].write, RegisterWrite::single(0));
}

TEST(WriteQueue, AHoldRefusesWritesThatWouldUndoItAndDropsOneQueuedBefore) {
  WriteQueue queue;
  std::vector<WriteResult> queued, later, keeping;
  queue.write(kEnable, RegisterWrite::single(1), into(queued));
  tell(queue.hold(kEnable, RegisterWrite::single(0)));
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].error, WriteQueue::kRefusedByHold);
  tell(queue.write(kEnable, RegisterWrite::single(1), into(later)));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_FALSE(later[0].ok);
  // The same value is no undoing: it is queued.
  EXPECT_TRUE(queue.write(kEnable, RegisterWrite::single(0), into(keeping)).empty());
  EXPECT_TRUE(queue.refused_by_hold(kEnable, RegisterWrite::single(1)));
  EXPECT_FALSE(queue.refused_by_hold(kSpeed, RegisterWrite::single(1)));
  // Released: writes go through again.
  queue.release(kEnable);
  EXPECT_FALSE(queue.held(kEnable));
  auto notices = queue.write(kEnable, RegisterWrite::single(1), nullptr);
  ASSERT_EQ(notices.size(), 1u);  // the 0 queued while held is superseded, not refused
  EXPECT_EQ(notices[0].result.error, "superseded by a newer value");
  auto writes = queue.take_writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].write, RegisterWrite::single(1));
}

TEST(WriteQueue, AHoldOnSomeBitsLeavesTheOtherBitsWritable) {
  WriteQueue queue;
  tell(queue.hold(kEnable, RegisterWrite::bits(0xFFFE, 0x0000, true)));  // bit 0 held clear
  EXPECT_FALSE(queue.refused_by_hold(kEnable, RegisterWrite::bits(0xFFFD, 0x0002, true)));
  EXPECT_TRUE(queue.refused_by_hold(kEnable, RegisterWrite::bits(0xFFFE, 0x0001, true)));
  EXPECT_TRUE(queue.refused_by_hold(kEnable, RegisterWrite::single(0x0001)));
}

TEST(WriteQueue, AHoldIsWrittenOnceUntilItFailsOrTheLinkComesBack) {
  WriteQueue queue;
  EXPECT_FALSE(queue.has_work());
  queue.hold(kEnable, RegisterWrite::single(0));
  EXPECT_TRUE(queue.holds_unsent());
  auto holds = queue.take_unsent_holds();
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0].first, kEnable);
  EXPECT_TRUE(queue.take_unsent_holds().empty());
  EXPECT_FALSE(queue.has_work());
  // Held again at the same value: nothing to write again.
  queue.hold(kEnable, RegisterWrite::single(0));
  EXPECT_TRUE(queue.take_unsent_holds().empty());
  // The write failed: it goes out again; one for a value no longer held does not.
  queue.hold_not_written(kEnable, RegisterWrite::single(0));
  EXPECT_EQ(queue.take_unsent_holds().size(), 1u);
  queue.hold_not_written(kEnable, RegisterWrite::single(7));
  EXPECT_TRUE(queue.take_unsent_holds().empty());
  // A new link: every hold is written on it.
  queue.hold(kLamp, RegisterWrite::coil_value(false));
  queue.take_unsent_holds();
  queue.rewrite_holds();
  EXPECT_EQ(queue.take_unsent_holds().size(), 2u);
}

}  // namespace
}  // namespace sensoryd::devices
