// ProfileEditor against the example room and a store in a temporary directory: a therapist's
// duplicate of "Calm down" saved, refused, conflicting, deleted, looked up and restored, with
// what each answer and record says, and nothing written by a refusal.
#include "daemon/authoring/profile_editor.hpp"

#include <fstream>
#include <iterator>
#include <set>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/profile_form.hpp"
#include "config/profile_loader.hpp"
#include "daemon/record/status_json.hpp"
#include "test_paths.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::authoring {
namespace {

using nlohmann::json;

const std::filesystem::path kExamples =
    std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples";

class ProfileEditorTest : public testing::Test {
 protected:
  ProfileEditorTest() {
    auto loaded = config::load_room(kExamples / "room.toml");
    EXPECT_TRUE(loaded.room);
    if (loaded.room) room = std::move(*loaded.room);
    std::ifstream in(kExamples / "profiles/calm-down.toml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    copy = config::profile_form_from_toml(text).value_or(json::object());
    copy["id"] = "calm-slower";
    copy["title"] = "Calm down, slower";
  }

  // Sends one command and applies what it saved or deleted, as the authoring thread does.
  EditResult send(Action action, json body, const std::string& author = "ana") {
    EditResult result = editor.handle({action, body.dump(), 0, author}, room);
    if (result.saved) room.profiles[result.saved->id] = *result.saved;
    if (!result.deleted.empty()) room.profiles.erase(result.deleted);
    return result;
  }
  EditResult save(const json& profile, int base) {
    return send(Action::profile_save,
                {{"request_id", "s"}, {"profile", profile}, {"base_version", base}});
  }

  test::TempDir dir;
  config::Room room;
  ProfileStore store{dir.path() / "profiles"};
  ProfileEditor editor{store};
  json copy;
};

TEST_F(ProfileEditorTest, ADuplicateIsSavedAsVersionOneInForceAndRecordedWithItsAuthor) {
  EditResult saved = save(copy, 0);
  ASSERT_TRUE(saved.ok) << saved.code << ": " << saved.message;
  EXPECT_EQ(saved.request_id, "s");
  EXPECT_EQ(saved.reply["version"], 1);
  ASSERT_TRUE(saved.saved);
  EXPECT_EQ(saved.saved->origin, config::ProfileOrigin::authored);
  EXPECT_EQ(saved.saved->title, "Calm down, slower");
  ASSERT_TRUE(saved.record);
  EXPECT_EQ((*saved.record)["author"], "ana");
  EXPECT_EQ((*saved.record)["sha256"], saved.reply["sha256"]);
  EXPECT_EQ((*saved.record)["summary"], "new profile, 3 step(s)");
  // The file in force is the room's schema: the loader reads it as it reads the room's.
  auto text = store.text("calm-slower");
  ASSERT_TRUE(text);
  config::Diagnostics diagnostics;
  auto again = config::load_profile(*text, "calm-slower.toml", room, diagnostics);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->steps, saved.saved->steps);

  // Step 2 slower and dimmer: the summary names the step and what changed.
  json slower = copy;
  slower["steps"][1]["swing"]["period"] = "7s";
  slower["steps"][1]["lights"]["brightness"] = "10%";
  EditResult second = save(slower, 1);
  ASSERT_TRUE(second.ok) << second.message;
  EXPECT_EQ(second.reply["version"], 2);
  EXPECT_EQ((*second.record)["summary"], "changed: step 2 'gentle' (swing, lights)");
}

TEST_F(ProfileEditorTest, ASaveOverAnotherEditorsVersionIsRefusedAndChangesNothing) {
  ASSERT_TRUE(save(copy, 0).ok);
  json mine = copy;
  mine["title"] = "Mine";
  ASSERT_TRUE(save(mine, 1).ok);  // the other editor saved version 2
  json theirs = copy;
  theirs["title"] = "Theirs";
  EditResult late = save(theirs, 1);
  EXPECT_FALSE(late.ok);
  EXPECT_EQ(late.code, "version_conflict");
  EXPECT_EQ(late.reply["version"], 2);
  EXPECT_NE(late.message.find("version 2"), std::string::npos) << late.message;
  EXPECT_FALSE(late.saved);
  EXPECT_FALSE(late.record);
  EXPECT_EQ(store.latest("calm-slower"), 2);
  EXPECT_EQ(room.find_profile("calm-slower")->title, "Mine");
}

TEST_F(ProfileEditorTest, TheRoomsProfilesAreNeverEditedInPlace) {
  json original = copy;
  original["id"] = "calm-down";
  for (Action action : {Action::profile_validate, Action::profile_save}) {
    EditResult refused = send(action, {{"profile", original}});
    EXPECT_EQ(refused.code, "room_profile") << to_string(action);
    EXPECT_EQ(refused.reply["fields"][0]["pointer"], "/id");
  }
  EXPECT_EQ(send(Action::profile_delete, {{"profile_id", "calm-down"}, {"base_version", 1}}).code,
            "room_profile");
  EXPECT_TRUE(store.ids().empty());
  EXPECT_EQ(room.find_profile("calm-down")->origin, config::ProfileOrigin::room);
}

TEST_F(ProfileEditorTest, AnInvalidProfileIsRefusedWithEveryFieldAndNothingIsWritten) {
  json over = copy;
  over["steps"][1]["swing"]["amplitude_deg"] = 40;
  over["steps"][0]["colour"] = "#ff0000";
  EditResult refused = save(over, 0);
  EXPECT_EQ(refused.code, "invalid_profile");
  ASSERT_EQ(refused.reply["fields"].size(), 2u) << refused.reply.dump();
  std::set<std::string> pointers;
  for (const auto& f : refused.reply["fields"]) pointers.insert(f["pointer"]);
  EXPECT_EQ(pointers, (std::set<std::string>{"/steps/1/swing/amplitude_deg", "/steps/0/colour"}));
  EXPECT_EQ(store.latest("calm-slower"), 0);

  json traversal = copy;
  traversal["id"] = "../calm";
  EditResult bad_id = save(traversal, 0);
  EXPECT_EQ(bad_id.code, "invalid_profile");
  EXPECT_EQ(bad_id.reply["fields"][0]["pointer"], "/id");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "calm.toml"));

  // A validation says the same and writes nothing either.
  EditResult checked = send(Action::profile_validate, {{"profile", over}});
  EXPECT_EQ(checked.reply["fields"], refused.reply["fields"]);
  EXPECT_TRUE(store.ids().empty());
}

TEST_F(ProfileEditorTest, ADeletedProfileKeepsItsHistoryAndARestoreIsCheckedAndSavedAsNew) {
  ASSERT_TRUE(save(copy, 0).ok);
  json dimmer = copy;
  dimmer["steps"][0]["lights"]["brightness"] = "10%";
  ASSERT_TRUE(save(dimmer, 1).ok);
  EditResult deleted =
      send(Action::profile_delete, {{"profile_id", "calm-slower"}, {"base_version", 2}});
  ASSERT_TRUE(deleted.ok) << deleted.message;
  EXPECT_EQ(deleted.deleted, "calm-slower");
  EXPECT_EQ(room.find_profile("calm-slower"), nullptr);

  EditResult history = send(Action::profile_history, {{"profile_id", "calm-slower"}});
  ASSERT_TRUE(history.ok);
  ASSERT_EQ(history.reply["versions"].size(), 3u);
  EXPECT_EQ(history.reply["versions"][2]["deleted"], true);
  EditResult first = send(Action::profile_history, {{"profile_id", "calm-slower"}, {"version", 1}});
  EXPECT_EQ(first.reply["profile"]["steps"][0]["lights"]["brightness"], "30%");

  EditResult restored = send(Action::profile_restore,
                             {{"profile_id", "calm-slower"}, {"version", 1}, {"base_version", 3}});
  ASSERT_TRUE(restored.ok) << restored.message;
  EXPECT_EQ(restored.reply["version"], 4);
  EXPECT_EQ((*restored.record)["summary"], "restored version 1");
  ASSERT_NE(room.find_profile("calm-slower"), nullptr);
  EXPECT_EQ(store.text("calm-slower"), store.text("calm-slower", 1));

  EXPECT_EQ(send(Action::profile_history, {{"profile_id", "nothing"}}).code, "not_found");
  EXPECT_EQ(send(Action::profile_restore,
                 {{"profile_id", "calm-slower"}, {"version", 9}, {"base_version", 4}})
                .code,
            "not_found");
}

TEST_F(ProfileEditorTest, ASaveTheRoomCouldNotPublishBesideTheOtherProfilesIsRefused) {
  // Authored profiles filling the retained `profiles` message, each with a long title.
  json big = copy;
  big["title"] = std::string(3000, 't');
  int saved = 0;
  for (int i = 0; i < 200; ++i) {
    big["id"] = "long-" + std::to_string(i);
    EditResult result = save(big, 0);
    if (!result.ok) {
      EXPECT_EQ(result.code, "profiles_full") << result.message;
      EXPECT_NE(result.message.find("KiB"), std::string::npos);
      EXPECT_FALSE(store.text(big["id"].get<std::string>()).has_value());  // nothing written
      break;
    }
    ++saved;
  }
  EXPECT_GT(saved, 10);
  EXPECT_LT(saved, 200);
  // What is in force fits the message, every content included.
  std::string published = profiles_json(room.profiles);
  EXPECT_LE(published.size(), kMaxProfilesMessageBytes);
  EXPECT_EQ(published.find("content_omitted"), std::string::npos);

  // The technician's files are not refused by anyone: one too large to publish beside the
  // rest is listed without its content, and the message keeps its bound.
  config::Profile huge = room.profiles.at("calm-down");
  huge.id = "aaa-huge";
  huge.content = json{{"title", std::string(100 * 1024, 'h')}}.dump();
  room.profiles[huge.id] = huge;
  auto listed = json::parse(profiles_json(room.profiles));
  EXPECT_LE(listed.dump().size(), kMaxProfilesMessageBytes);
  int omitted = 0;
  for (const auto& entry : listed) {
    if (entry.value("content_omitted", false)) {
      ++omitted;
      EXPECT_TRUE(entry["content"].is_null());
    }
  }
  EXPECT_GT(omitted, 0);
  EXPECT_EQ(listed.size(), room.profiles.size());  // every profile still listed
}

TEST_F(ProfileEditorTest, BadCommandsAreRefusedWithTheirCode) {
  EXPECT_EQ(send(Action::profile_save, {{"profile", "calm"}}).code, "bad_request");
  EXPECT_EQ(send(Action::profile_save, {{"profile", copy}, {"base_version", -1}}).code,
            "bad_request");
  EXPECT_EQ(send(Action::profile_delete, {{"profile_id", "calm-slower"}}).code, "bad_request");
  EditResult not_json = editor.handle({Action::profile_save, "{not json", 0, "ana"}, room);
  EXPECT_EQ(not_json.code, "bad_request");
  EditResult too_large = editor.handle({Action::profile_save, "{}", 70 * 1024, "ana"}, room);
  EXPECT_EQ(too_large.code, "bad_request");
  EXPECT_NE(too_large.message.find("65536"), std::string::npos) << too_large.message;
  EXPECT_TRUE(store.ids().empty());
}

TEST_F(ProfileEditorTest, OnTheOpenPathTheAuthorIsWhomThePayloadNames) {
  EditResult saved =
      send(Action::profile_save, {{"profile", copy}, {"therapist", "ana"}}, /*author=*/"");
  ASSERT_TRUE(saved.ok);
  EXPECT_EQ((*saved.record)["author"], "ana");
  json other = copy;
  other["id"] = "calm-other";
  EditResult unnamed = send(Action::profile_save, {{"profile", other}}, "");
  EXPECT_EQ((*unnamed.record)["author"], "unnamed");
}

}  // namespace
}  // namespace sensoryd::authoring

namespace sensoryd::authoring {
namespace {

TEST_F(ProfileEditorTest, AValidationForAChildPutsEachCapAtItsFieldAndNamesAMissingApproval) {
  // The copy swings 12 degrees in step 2 (c-022's cap: 8); the plan does not list it yet.
  EditResult capped =
      send(Action::profile_validate, {{"profile", copy}, {"child", "c-022"}, {"request_id", "v"}});
  EXPECT_EQ(capped.code, "invalid_profile");
  EXPECT_EQ(capped.request_id, "v");
  ASSERT_EQ(capped.reply["fields"].size(), 1u) << capped.reply.dump();
  EXPECT_EQ(capped.reply["fields"][0]["pointer"], "/steps/1/swing/amplitude_deg");
  EXPECT_NE(capped.reply["fields"][0]["message"].get<std::string>().find("cap of 8"),
            std::string::npos);
  // Within the cap: valid, with a warning that the plan must approve it before it can start.
  json slower = copy;
  slower["steps"][1]["swing"]["amplitude_deg"] = 7;
  EditResult fine = send(Action::profile_validate, {{"profile", slower}, {"child", "c-022"}});
  ASSERT_TRUE(fine.ok) << fine.code << ": " << fine.message;
  ASSERT_EQ(fine.reply["warnings"].size(), 1u);
  EXPECT_EQ(fine.reply["warnings"][0]["pointer"], "/id");
  // Without a child the room's limits alone apply, and an unknown child is said so.
  EXPECT_TRUE(send(Action::profile_validate, {{"profile", copy}}).ok);
  EXPECT_EQ(send(Action::profile_validate, {{"profile", copy}, {"child", "c-999"}}).code,
            "unknown_child");
  EXPECT_TRUE(store.ids().empty());
}

TEST_F(ProfileEditorTest, APreviewIsComputedFromTheFormOrAnIdAndWritesNothing) {
  EditResult preview =
      send(Action::profile_preview, {{"request_id", "p"}, {"profile", copy}, {"child", "c-022"}});
  ASSERT_TRUE(preview.ok) << preview.code << ": " << preview.message;
  EXPECT_EQ(preview.request_id, "p");
  EXPECT_EQ(preview.reply["profile_id"], "calm-slower");
  EXPECT_EQ(preview.reply["approved"], false);
  double widest = 0.0;
  for (const auto& a : preview.reply["samples"]["swing"]["amplitude_deg"]) {
    widest = std::max(widest, a.get<double>());
  }
  EXPECT_EQ(widest, 8.0);  // c-022's cap, not the 12 asked
  EXPECT_GT(preview.reply["dose"]["linear"]["oscillations"].get<double>(), 10.0);
  EXPECT_FALSE(preview.saved);
  EXPECT_FALSE(preview.record);
  EXPECT_TRUE(store.ids().empty());

  EditResult by_id = send(Action::profile_preview, {{"profile_id", "calm-down"}});
  ASSERT_TRUE(by_id.ok);
  EXPECT_EQ(by_id.reply["approved"], true);

  json over = copy;
  over["steps"][1]["swing"]["amplitude_deg"] = 40;
  EditResult invalid = send(Action::profile_preview, {{"profile", over}});
  EXPECT_EQ(invalid.code, "invalid_profile");
  EXPECT_EQ(invalid.reply["fields"][0]["pointer"], "/steps/1/swing/amplitude_deg");
  EXPECT_EQ(send(Action::profile_preview, {{"profile_id", "nope"}}).code, "unknown_profile");
  EXPECT_EQ(send(Action::profile_preview, {{"profile", copy}, {"go_after_s", 9999}}).code,
            "bad_request");
  EXPECT_EQ(send(Action::profile_preview, {{"profile", copy}, {"intensity", 0}}).code,
            "bad_request");
  EXPECT_EQ(send(Action::profile_preview, json::object()).code, "bad_request");
}

}  // namespace
}  // namespace sensoryd::authoring
