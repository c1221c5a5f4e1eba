#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "config/duration.hpp"
#include "config/loader.hpp"
#include "test_paths.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::config {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1h"), 3600s);
  EXPECT_EQ(parse_duration("30d"), 30 * 24h);  // a functional check's interval (S21)
}

TEST(Duration, RefusesWhatIsNotADuration) {
  for (const char* text :
       {"", "30", "s", "-1s", "3 s", "1.2.3s", "10w", "3661d", "1e3s", "99999h"}) {
    EXPECT_FALSE(parse_duration(text).has_value()) << text;
  }
}

// A room with one swing; tests change one line at a time.
constexpr const char* kGoodRoom = R"([room]
id = "room-1"
profiles_dir = "profiles"

[mqtt]
uri = "tcp://127.0.0.1:1883"

[buses.cabinet]
type = "tcp"
host = "127.0.0.1"
port = 1502

[devices.swing]
kind = "swing_drive"
bus = "cabinet"
comm_loss_timeout = "500ms"

[devices.swing.registers]
control = 0
mode = 1
amplitude = 2
period = 3
comm_loss_timeout = 4
comm_loss_action = 5
heartbeat = 6
status = 0
angle = 1
measured_amplitude = 2
fault_code = 3

[limits.swing]
max_amplitude_deg = 20

[devices.estop]
kind = "modbus_input"
role = "estop"
bus = "cabinet"
unit = 3
address = 0
active_low = true
)";

constexpr const char* kGoodProfile = R"(id = "calm"
title = "Calm"
purpose = "calming"

[[steps]]
name = "swing"
duration = "10s"
fade = "2s"
swing = { mode = "linear", amplitude_deg = 10, period = "4s" }
)";

// The error whose message contains `text`; a test failure (and an empty one) when none does.
const Diagnostic& find_error(const Diagnostics& diagnostics, const std::string& text) {
  static const Diagnostic none;
  for (const auto& error : diagnostics.errors) {
    if (error.message.find(text) != std::string::npos) return error;
  }
  std::string all;
  for (const auto& error : diagnostics.errors) all += "\n  " + error.to_string();
  ADD_FAILURE() << "no error mentions '" << text << "'; errors:" << all;
  return none;
}

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir.path() / "profiles"); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
  }
  LoadResult load(const std::string& room_text) {
    write("room.toml", room_text);
    return load_room(dir.path() / "room.toml");
  }
  test::TempDir dir;
};

TEST_F(ConfigFiles, LoadsAGoodRoomAndProfile) {
  write("profiles/calm.toml", kGoodProfile);
  auto result = load(kGoodRoom);
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const Room& room = *result.room;
  EXPECT_EQ(room.id, "room-1");
  EXPECT_EQ(room.mqtt.client_id, "sensoryd-room-1");
  ASSERT_EQ(room.devices.size(), 2u);  // the swing and its E-stop
  ASSERT_NE(room.find_device("swing"), nullptr);
  const Device& swing = *room.find_device("swing");
  ASSERT_TRUE(swing.as<SwingDrive>());
  EXPECT_EQ(swing.as<SwingDrive>()->comm_loss_timeout, 500ms);
  EXPECT_EQ(swing.as<SwingDrive>()->registers.find("heartbeat")->address, 6);
  EXPECT_DOUBLE_EQ(room.limits.swing.max_amplitude_deg, 20.0);
  EXPECT_DOUBLE_EQ(room.limits.swing.min_period_s, 2.0);  // default
  EXPECT_EQ(room.limits.tightened, std::vector<std::string>{"limits.swing.max_amplitude_deg"});
  const Profile* calm = room.find_profile("calm");
  ASSERT_NE(calm, nullptr);
  ASSERT_EQ(calm->steps.size(), 1u);
  ASSERT_TRUE(calm->steps[0].swing);
  EXPECT_EQ(calm->steps[0].swing->fade.time, 2s);
  EXPECT_DOUBLE_EQ(calm->steps[0].swing->amplitude_deg, 10.0);
  EXPECT_DOUBLE_EQ(calm->steps[0].swing->period_s, 4.0);
  EXPECT_EQ(calm->needs, std::set<DeviceKind>{DeviceKind::swing_drive});
}

struct BadRoomCase {
  const char* name;
  const char* find;     // text in the good room to replace
  const char* replace;  // its replacement
  int line;             // where the error must point
  const char* message;  // part of the message
};

class BadRoom : public ConfigFiles, public ::testing::WithParamInterface<BadRoomCase> {};

TEST_P(BadRoom, NamesFileLineAndWhatToChange) {
  const BadRoomCase& c = GetParam();
  write("profiles/calm.toml", kGoodProfile);
  std::string text = kGoodRoom;
  auto at = text.find(c.find);
  ASSERT_NE(at, std::string::npos) << c.find;
  text.replace(at, std::string(c.find).size(), c.replace);
  auto result = load(text);
  ASSERT_FALSE(result.room.has_value());
  const Diagnostic& error = find_error(result.diagnostics, c.message);
  EXPECT_EQ(std::filesystem::path(error.file).filename(), "room.toml");
  EXPECT_EQ(error.line, c.line) << error.to_string();
  EXPECT_GT(error.column, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, BadRoom,
    ::testing::Values(
        BadRoomCase{"syntax", "id = \"room-1\"", "id = room-1", 2, "TOML syntax error"},
        BadRoomCase{"unknown_key", "port = 1502", "prot = 1502", 11, "unknown key 'prot'"},
        BadRoomCase{"unknown_table", "[limits.swing]", "[limits.swnig]", 31, "unknown key 'swnig'"},
        BadRoomCase{"wrong_type", "port = 1502", "port = \"1502\"", 11, "must be an integer"},
        BadRoomCase{"out_of_range", "port = 1502", "port = 70000", 11, "from 1 to 65535"},
        BadRoomCase{"bad_duration", "\"500ms\"", "\"500\"", 16, "with a unit"},
        BadRoomCase{"looser_timeout", "\"500ms\"", "\"2s\"", 16, "from 100ms to 500ms"},
        BadRoomCase{"looser_limit", "max_amplitude_deg = 20", "max_amplitude_deg = 45", 32,
                    "looser than the safety default 30"},
        BadRoomCase{"unresolved_bus", "bus = \"cabinet\"", "bus = \"cabnet\"", 15,
                    "bus \"cabnet\""},
        BadRoomCase{"missing_register", "comm_loss_action = 5\n", "", 18,
                    "missing register 'comm_loss_action'"},
        BadRoomCase{"bad_room_id", "id = \"room-1\"", "id = \"room/1\"", 2, "MQTT topics"},
        BadRoomCase{"relative_serial_port", "type = \"tcp\"\nhost = \"127.0.0.1\"\nport = 1502",
                    "type = \"rtu\"\ndevice = \"ttyUSB0\"", 10, "the serial port's absolute path"},
        BadRoomCase{"missing_mqtt", "uri = \"tcp://127.0.0.1:1883\"", "", 5, "missing key 'uri'"},
        BadRoomCase{"estop_account_is_the_main_one", "uri = \"tcp://127.0.0.1:1883\"",
                    "uri = \"tcp://127.0.0.1:1883\"\nusername = \"s\"\nestop_username = \"s\"", 8,
                    "an account of its own"},
        BadRoomCase{"estop_password_without_account", "uri = \"tcp://127.0.0.1:1883\"",
                    "uri = \"tcp://127.0.0.1:1883\"\nestop_password_file = \"nowhere\"", 7,
                    "without estop_username"},
        BadRoomCase{"broker_port_out_of_range", "uri = \"tcp://127.0.0.1:1883\"",
                    "uri = \"tcp://127.0.0.1:188300\"", 6, "a port is 1 to 65535"},
        BadRoomCase{"broker_uri_scheme", "uri = \"tcp://127.0.0.1:1883\"",
                    "uri = \"http://127.0.0.1:1883\"", 6, "must start with tcp://"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(ConfigFiles, ReportsEveryMistakeAtOnce) {
  write("profiles/calm.toml", kGoodProfile);
  std::string text = kGoodRoom;
  text.replace(text.find("port = 1502"), 11, "prot = 1502");
  text.replace(text.find("max_amplitude_deg = 20"), 22, "max_amplitude_deg = 99");
  auto result = load(text);
  EXPECT_EQ(result.diagnostics.errors.size(), 2u);
}

struct BadProfileCase {
  const char* name;
  const char* find;
  const char* replace;
  int line;
  const char* message;
};

class BadProfile : public ConfigFiles, public ::testing::WithParamInterface<BadProfileCase> {};

TEST_P(BadProfile, NamesFileLineAndWhatToChange) {
  const BadProfileCase& c = GetParam();
  std::string text = kGoodProfile;
  auto at = text.find(c.find);
  ASSERT_NE(at, std::string::npos) << c.find;
  text.replace(at, std::string(c.find).size(), c.replace);
  write("profiles/calm.toml", text);
  auto result = load(kGoodRoom);
  ASSERT_FALSE(result.room.has_value());
  const Diagnostic& error = find_error(result.diagnostics, c.message);
  EXPECT_EQ(std::filesystem::path(error.file).filename(), "calm.toml");
  EXPECT_EQ(error.line, c.line) << error.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, BadProfile,
    ::testing::Values(
        BadProfileCase{
            "over_amplitude_limit", "amplitude_deg = 10", "amplitude_deg = 25", 9,
            "exceeds the room limit limits.swing.max_amplitude_deg = 20: lower the amplitude"},
        BadProfileCase{"under_period_limit", "period = \"4s\"", "period = \"1s\"", 9,
                       "shorter than the room limit"},
        BadProfileCase{"fade_longer_than_step", "fade = \"2s\"", "fade = \"20s\"", 5,
                       "fade of step 'swing' of profile 'calm' is longer than the step"},
        BadProfileCase{"unknown_mode", "\"linear\"", "\"sideways\"", 9,
                       "use off, linear or rotary"},
        BadProfileCase{"unknown_step_key", "name = \"swing\"", "nmae = \"swing\"", 6,
                       "unknown key 'nmae'"},
        BadProfileCase{"bad_purpose", "\"calming\"", "\"sleepy\"", 3,
                       "use calming, alerting, organising or play"},
        BadProfileCase{"missing_duration", "duration = \"10s\"\n", "", 5,
                       "needs a duration (such as \"2m\") or wait_for_go = true"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(ConfigFiles, RefusesDuplicateProfileIds) {
  write("profiles/a.toml", kGoodProfile);
  write("profiles/b.toml", kGoodProfile);
  auto result = load(kGoodRoom);
  ASSERT_FALSE(result.room.has_value());
  EXPECT_NE(result.diagnostics.errors.front().message.find("also used by"), std::string::npos);
}

// A therapist's profiles (the state directory's) are read with the room's checks and messages,
// marked authored; one that fails them, or takes a room profile's id, is left out with a
// warning naming its file:line:col, and the room still loads.
TEST_F(ConfigFiles, AuthoredProfilesAreCheckedAlikeAndAFailingOneIsLeftOutWithAWarning) {
  write("profiles/calm.toml", kGoodProfile);
  std::filesystem::create_directories(dir.path() / "state" / "profiles");
  auto slower = std::string(kGoodProfile);
  slower.replace(slower.find("id = \"calm\""), 11, "id = \"calm-slow\"");
  write("state/profiles/calm-slow.toml", slower);
  auto too_far = std::string(slower);
  too_far.replace(too_far.find("calm-slow"), 9, "calm-far");
  too_far.replace(too_far.find("amplitude_deg = 10"), 18, "amplitude_deg = 25");
  write("state/profiles/calm-far.toml", too_far);
  write("state/profiles/calm-again.toml", kGoodProfile);  // the room's id
  write("room.toml", kGoodRoom);
  auto result = load_room(dir.path() / "room.toml", {dir.path() / "state" / "profiles", {}});
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const Profile* slow = result.room->find_profile("calm-slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(slow->origin, ProfileOrigin::authored);
  EXPECT_EQ(result.room->find_profile("calm")->origin, ProfileOrigin::room);
  EXPECT_EQ(result.room->find_profile("calm-far"), nullptr);
  std::vector<std::string> warnings;
  for (const auto& w : result.diagnostics.warnings) warnings.push_back(w.to_string());
  auto said = [&](const std::string& text) {
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
  };
  // The same message the room's own profile would get, at the value's line.
  EXPECT_TRUE(said("calm-far.toml:9:")) << testing::PrintToString(warnings);
  EXPECT_TRUE(said("authored profile left out: ")) << testing::PrintToString(warnings);
  EXPECT_TRUE(said("calm-again.toml")) << testing::PrintToString(warnings);
  EXPECT_TRUE(said("is also used by")) << testing::PrintToString(warnings);
  // Without the option, or with a folder that does not exist: the room's profiles only.
  auto plain = load_room(dir.path() / "room.toml", {dir.path() / "nowhere", {}});
  ASSERT_TRUE(plain.room);
  EXPECT_EQ(plain.room->profiles.size(), 1u);
}

// A clinical lead's plan (the state directory's children/<id>.toml) replaces the room file's
// entry for its child, read with the same checks; one that fails them is left out with a
// warning and the room file's entry stays; a profile it approves that is gone is a warning.
TEST_F(ConfigFiles, AChildsPlanReplacesTheRoomFilesEntryAndAFailingOneIsLeftOut) {
  auto example = std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml";
  std::filesystem::create_directories(dir.path() / "children" / "history" / "c-022");
  write("children/c-022.toml",
        "flags = [\"sound_sensitive\"]\nmax_dba = 55\nprofiles = [\"calm-down\", \"gone\"]\n");
  write("children/history/c-022/1.toml", "max_dba = 58\n");
  write("children/history/c-022/2.toml", "max_dba = 55\n");
  write("children/c-014.toml", "max_brightness = \"140%\"\n");  // over 100%: refused
  auto result = load_room(example, {{}, dir.path() / "children"});
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const Child& planned = result.room->children.at("c-022");
  EXPECT_EQ(planned.plan_version, 2);
  EXPECT_EQ(planned.max_dba, 55.0);
  EXPECT_FALSE(planned.max_amplitude_deg);  // the plan's caps, not the room file's
  EXPECT_EQ(planned.profiles, (std::vector<std::string>{"calm-down", "gone"}));
  const Child& kept = result.room->children.at("c-014");
  EXPECT_EQ(kept.plan_version, 0);
  EXPECT_EQ(kept.max_brightness_pct, 60.0);
  std::string warnings;
  for (const auto& w : result.diagnostics.warnings) warnings += w.to_string() + "\n";
  EXPECT_NE(warnings.find("c-014.toml:1:"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("child's plan left out"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("approves profile \"gone\""), std::string::npos) << warnings;
}

TEST_F(ConfigFiles, NamesAMissingRoomFile) {
  auto result = load_room(dir.path() / "nowhere.toml");
  ASSERT_EQ(result.diagnostics.errors.size(), 1u);
  EXPECT_NE(result.diagnostics.errors[0].message.find("cannot read"), std::string::npos);
}

TEST(Examples, ExampleRoomLoads) {
  auto result = load_room(std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples/room.toml");
  ASSERT_TRUE(result.room.has_value())
      << (result.diagnostics.errors.empty() ? "" : result.diagnostics.errors[0].to_string());
  const Room& room = *result.room;
  for (const char* id : {"calm-down", "alerting", "transition-to-class", "cause-and-effect"}) {
    EXPECT_NE(room.find_profile(id), nullptr) << id;
  }
  EXPECT_EQ(room.children.size(), 2u);
  // The complete room: a swing, two lights and a bubble tube, a player and a cushion, E-stop,
  // door, switch.
  EXPECT_EQ(room.devices_of(DeviceKind::swing_drive).size(), 1u);
  EXPECT_EQ(room.devices_of(DeviceKind::light).size(), 3u);
  EXPECT_EQ(room.devices_of(DeviceKind::sound).size(), 2u);
  EXPECT_EQ(room.devices_of(DeviceKind::input).size(), 3u);
  EXPECT_TRUE(room.limits.loosened.empty());
}

}  // namespace
}  // namespace sensoryd::config
