// CommandDesk over a fake broker, a real outbox and recorder on a scripted disk, and a fake
// session (`execute`): what is carried out, who gave it, what is refused with which code, when
// each answer goes, and how many answers and records a flood gets.
#include "daemon/app/command_desk.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/session/command.hpp"
#include "tests/support/fake_broker.hpp"
#include "tests/support/scripted_log_file.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kPrefix = "sensoryd/room-r/";

class CommandDeskTest : public ::testing::Test {
 protected:
  explicit CommandDeskTest(bool require_identity = false)
      : progress(file),
        outbox(link),
        recorder(file, std::ref(progress), outbox, link,
                 {std::string(kPrefix) + "events", 4096, "sessions.jsonl"}, [] {}),
        desk({kPrefix, require_identity, {}}, recorder, outbox, link,
             {[this](const Command& command, CommandDesk::Clock::time_point) {
                executed.push_back(command);
                // As SessionControl would: a start is recorded.
                if (command.action == Action::start) {
                  recorder.record(EventType::session_started, {{"session_id", "s-1"}},
                                  std::chrono::system_clock::now());
                }
                return outcome;
              },
              [this] { outbox.flush(state_pending); },
              [this](const InboundMessage& m, Action action, const std::string& user) {
                handed.push_back({m.topic, std::string{to_string(action)} + " from " + user});
                return authoring_has_room;
              }}) {
    link.up = true;
  }

  InboundMessage message(const std::string& subtopic, const std::string& payload) {
    InboundMessage m;
    m.topic = kPrefix + subtopic;
    m.payload = payload;
    m.received_at = std::chrono::system_clock::now();
    return m;
  }
  // Replies on `reply` (or another topic), parsed.
  std::vector<json> replies(const std::string& topic = std::string(kPrefix) + "reply") const {
    std::vector<json> out;
    for (const auto& p : link.published) {
      if (p.topic == topic) out.push_back(json::parse(p.payload));
    }
    return out;
  }
  // Everything recorded so far reaches the disk, and the outbox sends what waited for it.
  void settle() {
    ASSERT_TRUE(progress.wait_done(recorder.last_record()));
    recorder.progress(progress.last());
    outbox.flush(state_pending);
  }
  std::vector<json> recorded() {
    recorder.stop();  // everything recorded so far is on the scripted disk
    std::vector<json> out;
    for (const auto& line : file.synced()) out.push_back(json::parse(line));
    return out;
  }

  // A disk a failed assertion left stalled must not hold the writer's thread forever.
  ~CommandDeskTest() override { file.resume(); }

  test::ScriptedFile file;
  test::ProgressLog progress;
  test::FakeBroker link;
  DurableOutbox outbox;
  ClinicalRecorder recorder;
  std::vector<Command> executed;
  Outcome outcome{true, "", "", ""};
  std::vector<std::pair<std::string, std::string>> handed;  // to the authoring thread
  bool authoring_has_room = true;
  bool state_pending = false;
  CommandDesk desk;
  CommandDesk::Clock::time_point t0{std::chrono::hours(1)};
};

TEST_F(CommandDeskTest, AMessageOffTheCommandTopicsIsLeftToTheCaller) {
  EXPECT_FALSE(desk.handle(message("devices/lamp/state", "{}"), t0));
  EXPECT_FALSE(desk.handle(message("cmdx/stop", "{}"), t0));
  EXPECT_TRUE(executed.empty());
  EXPECT_TRUE(link.published.empty());
}

TEST_F(CommandDeskTest, AProfileCommandGoesToTheAuthoringThreadUnparsedAndItsAnswerComesLater) {
  // Larger than any session command may be: a profile is read on the authoring thread.
  std::string big(20 * 1024, ' ');
  ASSERT_TRUE(desk.handle(message("user/ana/cmd/profile_save", "{" + big + "}"), t0));
  ASSERT_EQ(handed.size(), 1u);
  EXPECT_EQ(handed[0].second, "profile_save from ana");
  EXPECT_TRUE(executed.empty());
  EXPECT_TRUE(replies().empty());
  // The result: recorded before the answer, which waits for the record's disk.
  file.stall();
  std::uint64_t before = recorder.last_record();
  recorder.record(EventType::profile_saved, {{"profile_id", "calm-copy"}},
                  std::chrono::system_clock::now());
  desk.answer(message("user/ana/cmd/profile_save", "{}"), R"({"request_id":"p1","ok":true})",
              nullptr, before, t0);
  EXPECT_TRUE(replies().empty());
  file.resume();
  settle();
  ASSERT_EQ(replies().size(), 1u);
  EXPECT_EQ(replies()[0]["request_id"], "p1");
  // A refusal is recorded with its code and answered with the whole reply given.
  CommandError refusal{"p2", "invalid_profile", "1 error(s)"};
  desk.answer(message("cmd/profile_save", "{}"),
              R"({"request_id":"p2","ok":false,"error":{"code":"invalid_profile","fields":[]}})",
              &refusal, recorder.last_record(), t0);
  settle();
  ASSERT_EQ(replies().size(), 2u);
  EXPECT_TRUE(replies()[1]["error"].contains("fields"));
  auto log = recorded();
  EXPECT_EQ(log.back()["type"], "command_refused");
  EXPECT_EQ(log.back()["code"], "invalid_profile");
}

TEST_F(CommandDeskTest, AProfileCommandTheAuthoringThreadHasNoRoomForIsAnsweredBusy) {
  authoring_has_room = false;
  ASSERT_TRUE(desk.handle(message("cmd/profile_validate", R"({"request_id":"v1"})"), t0));
  settle();
  ASSERT_EQ(replies().size(), 1u);
  EXPECT_EQ(replies()[0]["error"]["code"], "busy");
}

TEST_F(CommandDeskTest, ACommandIsAnsweredOnItsResponseTopicOnlyOnceItsRecordsAreOnDisk) {
  file.stall();
  InboundMessage m = message("cmd/start", R"({"request_id":"r1","profile":"calm","child":"c-1"})");
  m.response_topic = "tablets/t1/reply";
  m.correlation_data = "c-7";
  outcome.session_id = "s-1";
  ASSERT_TRUE(desk.handle(m, t0));
  ASSERT_EQ(executed.size(), 1u);
  EXPECT_TRUE(replies("tablets/t1/reply").empty());  // its record is not on disk yet
  file.resume();
  ASSERT_TRUE(progress.wait_done(1));
  recorder.progress(progress.last());
  outbox.flush(false);
  auto answers = replies("tablets/t1/reply");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]["request_id"], "r1");
  EXPECT_EQ(answers[0]["ok"], true);
  EXPECT_EQ(answers[0]["session_id"], "s-1");
  EXPECT_EQ(link.published.back().correlation_data, "c-7");
}

TEST_F(CommandDeskTest, ACommandThatRecordsNothingWaitsOnlyForTheStateItChanged) {
  file.stall();  // another command's record is stuck: this one does not wait for it
  desk.handle(message("cmd/start", R"({"request_id":"r1","profile":"calm","child":"c-1"})"), t0);
  state_pending = true;
  desk.handle(message("cmd/pause", R"({"request_id":"r2"})"), t0);
  EXPECT_TRUE(replies().empty());
  state_pending = false;
  outbox.flush(false);
  auto answers = replies();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]["request_id"], "r2");
}

TEST_F(CommandDeskTest, ARefusalCarriesTheSessionsCodeAndIsRecorded) {
  outcome = {false, "not_running", "no session is running", ""};
  desk.handle(message("cmd/pause", R"({"request_id":"r3"})"), t0);
  settle();
  auto answers = replies();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]["ok"], false);
  EXPECT_EQ(answers[0]["error"]["code"], "not_running");
  auto log = recorded();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["type"], "command_refused");
  EXPECT_EQ(log[0]["action"], "pause");
  EXPECT_EQ(log[0]["code"], "not_running");
}

TEST_F(CommandDeskTest, ABadPayloadIsRefusedWithItsCodeAndNeverCarriedOut) {
  desk.handle(message("cmd/start", R"({"request_id":"r4","profile":)"), t0);
  desk.handle(message("cmd/fly", R"({"request_id":"r5"})"), t0);
  settle();
  EXPECT_TRUE(executed.empty());
  auto answers = replies();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["error"]["code"], "bad_request");
  EXPECT_EQ(answers[1]["error"]["code"], "unknown_action");
}

TEST_F(CommandDeskTest, ARetainedCommandIsRefusedAndClearedAndItsClearingIsNotAnswered) {
  InboundMessage m = message("cmd/stop", R"({"request_id":"r6"})");
  m.retained = true;
  desk.handle(m, t0);
  EXPECT_TRUE(executed.empty());
  settle();
  ASSERT_EQ(replies().size(), 1u);
  EXPECT_EQ(replies()[0]["error"]["code"], "retained_command");
  const auto* cleared = link.last(m.topic);
  ASSERT_NE(cleared, nullptr);
  EXPECT_TRUE(cleared->retained);
  EXPECT_EQ(cleared->payload, "");
  EXPECT_TRUE(desk.take_retained_cleared());  // the broker may hold more back: ask again
  EXPECT_FALSE(desk.take_retained_cleared());
  InboundMessage clearing = message("cmd/stop", "");
  clearing.retained = true;
  std::size_t before = link.published.size();
  desk.handle(clearing, t0);
  EXPECT_EQ(link.published.size(), before);
  EXPECT_FALSE(desk.take_retained_cleared());
}

class IdentityRoom : public CommandDeskTest {
 protected:
  IdentityRoom() : CommandDeskTest(true) {}
};

TEST_F(IdentityRoom, TheOpenPathIsRefusedAndTheBrokersUserIsWhoGaveTheCommand) {
  desk.handle(message("cmd/stop", R"({"request_id":"r7"})"), t0);
  settle();
  EXPECT_TRUE(executed.empty());
  ASSERT_EQ(replies().size(), 1u);
  EXPECT_EQ(replies()[0]["error"]["code"], "identity_required");
  desk.handle(message("user/ana/cmd/stop", R"({"request_id":"r8","therapist":"mallory"})"), t0);
  ASSERT_EQ(executed.size(), 1u);
  EXPECT_EQ(executed[0].therapist, "ana");
}

TEST_F(CommandDeskTest, AFloodOfRefusalsGetsBoundedAnswersAndRecordsAndACountOfTheRest) {
  constexpr int kFlood = 1000;
  for (int i = 0; i < kFlood; ++i) desk.handle(message("cmd/fly", "{}"), t0);
  settle();
  std::size_t answered = replies().size();
  EXPECT_EQ(answered, 300u);  // the burst, all at one instant
  EXPECT_FALSE(desk.report({}));
  auto log = recorded();
  ASSERT_EQ(log.size(), 21u);  // 20 refusals (the records' burst), then the count of the rest
  EXPECT_EQ(log[0]["type"], "command_refused");
  EXPECT_EQ(log.back()["type"], "command_refusals_unrecorded");
  EXPECT_EQ(log.back()["count"], kFlood - 20);
  EXPECT_EQ(log.back()["unanswered"], kFlood - 300);
}

TEST_F(CommandDeskTest, EveryLeaseRenewsButTheirAnswersAreBounded) {
  for (int i = 0; i < 100; ++i) desk.handle(message("cmd/lease", R"({"request_id":"l"})"), t0);
  EXPECT_EQ(executed.size(), 100u);
  EXPECT_EQ(replies().size(), 20u);
  // A second later the rate allows more.
  desk.handle(message("cmd/lease", R"({"request_id":"l"})"), t0 + 1s);
  EXPECT_EQ(replies().size(), 21u);
}

TEST_F(CommandDeskTest, BusyAnswersAreBoundedAndTheRestCountedWithWhatTheIntakeDropped) {
  for (int i = 0; i < 50; ++i) desk.busy(message("cmd/stop", R"({"request_id":"b"})"), t0);
  settle();
  auto answers = replies();
  ASSERT_EQ(answers.size(), 20u);
  EXPECT_EQ(answers[0]["error"]["code"], "busy");
  Intake::Counts counts;
  counts.commands_dropped = 7;
  EXPECT_FALSE(desk.report(counts));
  EXPECT_TRUE(desk.report({}));  // the flood has passed
  EXPECT_FALSE(desk.report({}));
  auto log = recorded();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back()["type"], "command_refusals_unrecorded");
  EXPECT_EQ(log.back()["count"], 30 + 7);
  EXPECT_EQ(log.back()["unanswered"], 30 + 7);
}

}  // namespace
}  // namespace sensoryd
