// A profile's JSON form against the example room: every example profile gives the same model
// through the form as through its file, and each kind of mistake is refused with the loader's
// message at the pointer of its field.
#include "config/profile_form.hpp"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/fingerprint.hpp"
#include "config/loader.hpp"
#include "test_paths.hpp"

namespace sensoryd::config {
namespace {

using nlohmann::json;

const std::filesystem::path kExamples =
    std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples";

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ProfileForm : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = load_room(kExamples / "room.toml");
    ASSERT_TRUE(loaded.room) << loaded.diagnostics.errors.front().to_string();
    room_ = new Room(std::move(*loaded.room));
  }
  static void TearDownTestSuite() { delete room_; }

  static json calm_down() {
    auto form = profile_form_from_toml(read(kExamples / "profiles/calm-down.toml"));
    EXPECT_TRUE(form);
    return form.value_or(json::object());
  }
  // The one error the form gets, as "pointer: message".
  static std::string only_error(const json& form) {
    auto check = check_profile_form(form, *room_, "calm-copy.toml");
    EXPECT_FALSE(check.profile);
    if (check.errors.size() != 1) {
      std::string all;
      for (const auto& e : check.errors) all += e.pointer + ": " + e.message + "\n";
      ADD_FAILURE() << check.errors.size() << " errors:\n" << all;
      return all;
    }
    return check.errors[0].pointer + ": " + check.errors[0].message;
  }

  static Room* room_;
};

Room* ProfileForm::room_ = nullptr;

TEST_F(ProfileForm, EveryExampleProfileGivesTheSameModelThroughItsFormAsThroughItsFile) {
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples / "profiles")) {
    auto form = profile_form_from_toml(read(entry.path()));
    ASSERT_TRUE(form) << entry.path();
    auto check = check_profile_form(*form, *room_, entry.path());
    ASSERT_TRUE(check.profile) << entry.path() << ": "
                               << (check.errors.empty() ? "" : check.errors[0].message);
    const Profile* from_file = room_->find_profile(check.profile->id);
    ASSERT_NE(from_file, nullptr);
    // The same profile in another file's text: only the text's SHA-256 differs.
    EXPECT_NE(check.profile->sha256, from_file->sha256);
    EXPECT_EQ(check.profile->sha256, sha256_hex(check.toml));
    check.profile->sha256 = from_file->sha256;
    EXPECT_EQ(*check.profile, *from_file) << entry.path();
    // The TOML a save writes reads back to the same form.
    EXPECT_EQ(profile_form_from_toml(check.toml), *form) << check.toml;
    ++compared;
  }
  EXPECT_EQ(compared, 4);
}

TEST_F(ProfileForm, AValueOverTheRoomsLimitIsRefusedAtItsField) {
  json form = calm_down();
  form["id"] = "calm-copy";
  form["steps"][1]["swing"]["amplitude_deg"] = 40;
  std::string error = only_error(form);
  EXPECT_EQ(error.rfind("/steps/1/swing/amplitude_deg: ", 0), 0u) << error;
  EXPECT_NE(error.find("limits"), std::string::npos) << error;
}

TEST_F(ProfileForm, UnknownKeysWrongTypesAndNullsAreRefusedAtTheirFields) {
  json unknown = calm_down();
  unknown["steps"][0]["swingg"] = json::object();
  EXPECT_EQ(only_error(unknown).rfind("/steps/0/swingg: unknown key 'swingg'", 0), 0u);

  json wrong_type = calm_down();
  wrong_type["steps"][2]["duration"] = true;
  auto check = check_profile_form(wrong_type, *room_, "calm-copy.toml");
  ASSERT_FALSE(check.errors.empty());
  EXPECT_EQ(check.errors[0].pointer, "/steps/2/duration");
  EXPECT_NE(check.errors[0].message.find("must be a duration"), std::string::npos);

  json null = calm_down();
  null["wind_down"][0]["lights"]["color"] = nullptr;
  EXPECT_EQ(only_error(null),
            "/wind_down/0/lights/color: null is not a value: leave the field out instead");

  json missing = calm_down();
  missing.erase("title");
  std::string error = only_error(missing);
  EXPECT_EQ(error.rfind(": ", 0), 0u) << "the whole form: " << error;
  EXPECT_NE(error.find("title"), std::string::npos) << error;
}

TEST_F(ProfileForm, IdsThatCannotNameAFileAreRefused) {
  for (const char* id : {"../etc", "a/b", "Calm", "calm down", "-calm", ""}) {
    json form = calm_down();
    form["id"] = id;
    std::string error = only_error(form);
    EXPECT_EQ(error.rfind("/id: ", 0), 0u) << id << " -> " << error;
  }
}

TEST_F(ProfileForm, MoreStepsThanTheBoundDeepNestingAndANonObjectAreRefused) {
  json many = calm_down();
  json step = many["steps"][0];
  many["steps"] = json::array();
  for (int i = 0; i < 101; ++i) {
    step["name"] = "s" + std::to_string(i);
    many["steps"].push_back(step);
  }
  std::string error = only_error(many);
  EXPECT_EQ(error.rfind("/steps: ", 0), 0u) << error;
  EXPECT_NE(error.find("more than 100"), std::string::npos) << error;

  json deep = calm_down();
  json* at = &deep["steps"][0]["swing"];
  for (int i = 0; i < 10; ++i) at = &(*at)["x"];
  *at = 1;
  EXPECT_NE(only_error(deep).find("nested deeper"), std::string::npos);

  EXPECT_EQ(only_error(json::array()), ": a profile is a JSON object with the profile file's keys");
}

TEST_F(ProfileForm, AGoodFormGivesItsProfileAndAProfileFileInTheDocumentedSchema) {
  json form = calm_down();
  form["id"] = "calm-copy";
  form["title"] = "Calm down, slower";
  form["steps"][1]["swing"]["period"] = "7s";
  auto check = check_profile_form(form, *room_, "calm-copy.toml");
  ASSERT_TRUE(check.profile) << check.errors.front().pointer << ": "
                             << check.errors.front().message;
  EXPECT_EQ(check.profile->id, "calm-copy");
  ASSERT_TRUE(check.profile->steps[1].swing);
  EXPECT_DOUBLE_EQ(check.profile->steps[1].swing->period_s, 7.0);
  // A technician reads it as any other profile file.
  EXPECT_NE(check.toml.find("[[steps]]"), std::string::npos) << check.toml;
  EXPECT_NE(check.toml.find("title = 'Calm down, slower'"), std::string::npos) << check.toml;
}

}  // namespace
}  // namespace sensoryd::config
