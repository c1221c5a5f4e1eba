// ModbusBus holds back a poll's answer that repeats the last one posted, and posts it with the
// next change, failure or link event, or within kRepeatsWaitAtMost: an idle room's polls wake the
// logic thread a few times a second instead of at every poll (docs/performance.md), and the
// drivers still hear every answer, in the order they were read.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/scripted_modbus.hpp"

namespace sensoryd::devices {
namespace {

using namespace std::chrono_literals;
using test::BusRig;
using test::ScriptedContext;

// What the drivers heard, in order: each answer's offset ("r0", "r5"), a failure ("fail"), and
// the link's events ("up", "down").
struct Heard {
  std::vector<std::string> events;
  void poll(BusRig& rig, int unit) {
    rig.bus->add_poll(unit, RegisterKind::holding, 100, 1, 10ms, [this](const ReadResult& r) {
      events.push_back(r.ok ? "r" + std::to_string(r.values[0] - 100) : "fail");
    });
    rig.bus->on_link_change(
        [this](bool up, const std::string&) { events.push_back(up ? "up" : "down"); });
  }
  std::size_t answers() const {
    std::size_t n = 0;
    for (const auto& e : events) n += e[0] == 'r';
    return n;
  }
};

// What the unit was asked and answered, in the same words.
std::vector<std::string> asked(const ScriptedContext& context) {
  std::vector<std::string> out;
  for (const auto& r : context.requests()) {
    if (r.op != "read") continue;
    out.push_back(r.value == ScriptedContext::Request::kFailed ? "fail"
                                                               : "r" + std::to_string(r.value));
  }
  return out;
}

std::vector<std::string> without_links(const std::vector<std::string>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e != "up" && e != "down") out.push_back(e);
  }
  return out;
}

TEST(ModbusBusRepeats, AnswersLikeTheLastOneArriveTogetherInFewerWakeUps) {
  BusRig rig;
  Heard heard;
  heard.poll(rig, 1);
  rig.bus->start();
  // Every handler the bus posts is counted: one per wake-up of the logic thread.
  std::size_t posted = 0;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (heard.answers() < 40 && std::chrono::steady_clock::now() < deadline) {
    posted += rig.io.run_one_for(50ms);
  }
  ASSERT_GE(heard.answers(), 40u);
  // 40 answers of a 10 ms poll that never changes: the first posted alone, the rest held back
  // and posted together about every 100 ms (posted one by one, it would be 41 with the link).
  EXPECT_LT(posted, 15u) << posted << " handlers for " << heard.answers() << " answers";
}

TEST(ModbusBusRepeats, AChangeComesAfterEveryAnswerReadBeforeItAndNoneIsLost) {
  BusRig rig;
  Heard heard;
  heard.poll(rig, 1);
  rig.bus->start();
  // Answers are being held back: the unit has answered more than the drivers heard.
  ASSERT_TRUE(rig.run_until([&] { return asked(*rig.context).size() >= heard.answers() + 3; }));
  rig.context->answer_offset(1, 5);
  ASSERT_TRUE(rig.run_until([&] {
    return std::find(heard.events.begin(), heard.events.end(), "r5") != heard.events.end();
  }));
  auto read = asked(*rig.context);
  auto got = without_links(heard.events);
  auto first_change = std::find(read.begin(), read.end(), "r5");
  ASSERT_NE(first_change, read.end());
  // Up to the first answer with the change, the drivers heard exactly what the unit answered.
  std::vector<std::string> until_change(read.begin(), first_change + 1);
  ASSERT_GE(got.size(), until_change.size());
  EXPECT_EQ(std::vector<std::string>(got.begin(), got.begin() + until_change.size()), until_change);
}

TEST(ModbusBusRepeats, AnswersHeldBackArriveBeforeTheLinkGoesDown) {
  BusRig rig;
  Heard heard;
  heard.poll(rig, 1);
  rig.bus->start();
  ASSERT_TRUE(rig.run_until([&] { return asked(*rig.context).size() >= heard.answers() + 3; }));
  // A link error drops the link at once (ModbusBusWorker.ALinkErrorDropsTheLinkAtOnce).
  rig.context->unit_fails(1, {ModbusFailure::link, EPIPE});
  ASSERT_TRUE(rig.run_until([&] {
    return std::find(heard.events.begin(), heard.events.end(), "down") != heard.events.end();
  }));
  auto read = asked(*rig.context);
  auto failed = std::find(read.begin(), read.end(), "fail");
  ASSERT_NE(failed, read.end());
  // Every answer read before the failure, then the link going down (the failure drops it
  // before its result is posted, as before answers were held back), then the failure.
  std::vector<std::string> expected{"up"};
  expected.insert(expected.end(), read.begin(), failed);
  expected.push_back("down");
  expected.push_back("fail");
  ASSERT_GE(heard.events.size(), expected.size());
  EXPECT_EQ(std::vector<std::string>(heard.events.begin(), heard.events.begin() + expected.size()),
            expected);
}

}  // namespace
}  // namespace sensoryd::devices
