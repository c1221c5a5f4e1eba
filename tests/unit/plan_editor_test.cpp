// PlanEditor against the example room and a store in a temporary directory: a clinical lead's
// plan for c-022 saved (approving a therapist's profile), refused for a profile that does not
// exist or a cap over the room's limit, conflicting, and looked up; nothing written by a
// refusal.
#include "daemon/authoring/plan_editor.hpp"

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "test_paths.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::authoring {
namespace {

using nlohmann::json;

class PlanEditorTest : public testing::Test {
 protected:
  PlanEditorTest() {
    auto loaded =
        config::load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
    EXPECT_TRUE(loaded.room);
    if (loaded.room) room = std::move(*loaded.room);
    config::Profile slower = room.profiles.at("calm-down");
    slower.id = "calm-slower";
    slower.origin = config::ProfileOrigin::authored;
    room.profiles.emplace(slower.id, slower);
  }

  EditResult send(Action action, json body, const std::string& author = "lena") {
    EditResult result = editor.handle({action, body.dump(), 0, author}, room);
    if (result.plan) room.children.insert_or_assign(result.plan->id, *result.plan);
    return result;
  }
  EditResult save(const json& form, int base) {
    return send(Action::child_plan_save,
                {{"request_id", "p"}, {"child", "c-022"}, {"plan", form}, {"base_version", base}});
  }

  test::TempDir dir;
  config::Room room;
  ProfileStore store{dir.path() / "children"};
  PlanEditor editor{store};
  json plan{{"flags", {"vestibular_sensitive", "sound_sensitive"}},
            {"max_amplitude_deg", 8},
            {"max_dba", 60},
            {"profiles", {"calm-down", "transition-to-class", "calm-slower"}}};
};

TEST_F(PlanEditorTest, APlanApprovingATherapistsProfileIsSavedInForceAndRecordedWithItsAuthor) {
  EditResult saved = save(plan, 0);
  ASSERT_TRUE(saved.ok) << saved.code << ": " << saved.message;
  EXPECT_EQ(saved.request_id, "p");
  EXPECT_EQ(saved.reply["version"], 1);
  ASSERT_TRUE(saved.plan);
  EXPECT_EQ(saved.plan->plan_version, 1);
  EXPECT_EQ(saved.plan->max_amplitude_deg, 8.0);
  EXPECT_EQ(room.children.at("c-022").profiles.back(), "calm-slower");
  ASSERT_TRUE(saved.record);
  EXPECT_EQ((*saved.record)["author"], "lena");
  EXPECT_EQ((*saved.record)["summary"], "changed: approved profiles");
  // The file is the room file's [children.<id>] keys, for a technician to read.
  auto text = store.text("c-022");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("max_amplitude_deg = 8"), std::string::npos) << *text;
  // The history has it, with its content on request.
  EditResult history = send(Action::child_plan_history, {{"child", "c-022"}, {"version", 1}});
  ASSERT_TRUE(history.ok);
  EXPECT_EQ(history.reply["versions"].size(), 1u);
  EXPECT_EQ(history.reply["plan"]["max_dba"], 60);
}

TEST_F(PlanEditorTest,
       APlanNamingAMissingProfileOrOverALimitIsRefusedAtItsFieldAndNothingIsWritten) {
  json missing = plan;
  missing["profiles"] = {"calm-down", "no-such"};
  EditResult refused = save(missing, 0);
  EXPECT_EQ(refused.code, "invalid_plan");
  ASSERT_EQ(refused.reply["fields"].size(), 1u) << refused.reply.dump();
  EXPECT_EQ(refused.reply["fields"][0]["pointer"], "/profiles/1");
  json over = plan;
  over["max_amplitude_deg"] = 40;  // the room allows 20
  over["flags"] = {"sleepy"};
  EditResult over_limit = save(over, 0);
  EXPECT_EQ(over_limit.code, "invalid_plan");
  std::set<std::string> pointers;
  for (const auto& f : over_limit.reply["fields"]) pointers.insert(f["pointer"]);
  EXPECT_TRUE(pointers.count("/max_amplitude_deg")) << over_limit.reply.dump();
  EXPECT_TRUE(pointers.count("/flags")) << over_limit.reply.dump();
  EXPECT_EQ(store.latest("c-022"), 0);
  EXPECT_EQ(room.children.at("c-022").plan_version, 0);
}

TEST_F(PlanEditorTest, ASaveOverAnotherLeadsVersionIsRefusedAndBadCommandsGetTheirCode) {
  ASSERT_TRUE(save(plan, 0).ok);
  EditResult conflict = save(plan, 0);
  EXPECT_EQ(conflict.code, "version_conflict");
  EXPECT_EQ(conflict.reply["version"], 1);
  EXPECT_TRUE(save(plan, 1).ok);
  EXPECT_EQ(send(Action::child_plan_save, {{"child", "../c"}, {"plan", plan}}).code, "bad_id");
  EXPECT_EQ(send(Action::child_plan_save, {{"child", "c-022"}}).code, "bad_request");
  EXPECT_EQ(send(Action::child_plan_history, {{"child", "c-014"}}).code, "not_found");
  EXPECT_EQ(store.latest("c-022"), 2);
}

}  // namespace
}  // namespace sensoryd::authoring
