// The complete room model: every device kind, templates, calibrations, children, limits with
// reasons, and profiles with lights, sound, loops, wind-down and triggers. One mistake per
// case, each reported with its place and what to change.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::config {
namespace {

using namespace std::chrono_literals;

// Line numbers matter: cases below name the line each mistake must be reported on.
constexpr const char* kRoom = R"([room]
id = "r"

[mqtt]
uri = "tcp://127.0.0.1:1883"

[buses.cabinet]
type = "tcp"
host = "127.0.0.1"

[buses.serial]
type = "rtu"
device = "/dev/ttyUSB0"
poll_period = "300ms"
parity = "even"

[templates.drive]
kind = "swing_drive"
registers = { control = 0, mode = 1, amplitude = 2, period = 3, comm_loss_timeout = 4, comm_loss_action = 5, heartbeat = 6, status = 0, angle = 1, measured_amplitude = 2, fault_code = 3 }

[devices.swing]
template = "drive"
bus = "cabinet"
unit = 1

[devices.tube]
kind = "modbus_light"
bus = "serial"
unit = 2
channels = { red = 0, green = 1, blue = 2, dimmer = 3 }

[devices.lamp]
kind = "mqtt_light"
topic = "z2m/lamp"
groups = ["ceiling"]

[devices.player]
kind = "mqtt_sound"
topic = "audio/player"
calibration = "speakers"

[calibrations.speakers]
points = [[0, 20.0], [50, 60.0], [100, 80.0]]

[devices.estop]
kind = "modbus_input"
role = "estop"
bus = "cabinet"
unit = 3
address = 0
active_low = true

[devices.button]
kind = "mqtt_input"
role = "child_switch"
topic = "z2m/button"
field = "action"
active_value = "single"

[safe_scene]
color = "warm-white"
brightness = "20%"

[limits.sound]
max_dba = 70

[children.c-1]
flags = ["photosensitive"]
max_dba = 60
profiles = ["p"]
)";

constexpr const char* kProfile = R"(id = "p"
title = "Play"
purpose = "play"
needs = ["swing_drive", "light", "sound", "input"]

[[steps]]
name = "one"
duration = "60s"
fade = "5s"
swing = { mode = "linear", amplitude_deg = 10, period = "4s", curve = "s-curve" }
lights = { group = "ceiling", color = "#3050c0", brightness = "30%", effect = "breathe", effect_period = "8s" }
sound = { source = "ocean", level = "50dB" }

[[steps]]
name = "two"
wait_for_go = true
lights = [{ fixtures = ["tube"], color = "blue", brightness = 40 }]

[loop]
from = "one"
to = "one"
count = 2

[[wind_down]]
name = "rest"
duration = "20s"
fade = "10s"
swing = { mode = "off" }
sound = { mute = true }

[[triggers]]
input = "button"
mode = "timed"
duration = "8s"
steps = ["one"]
lights = { fixtures = ["tube"], color = "magenta", brightness = "80%" }
)";

class RoomModel : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir.path() / "profiles"); }
  LoadResult load(const std::string& room, const std::string& profile) {
    std::ofstream(dir.path() / "room.toml") << room;
    std::ofstream(dir.path() / "profiles" / "p.toml") << profile;
    return load_room(dir.path() / "room.toml");
  }
  test::TempDir dir;
};

TEST_F(RoomModel, LoadsEveryKindOfDeviceAndProfileFeature) {
  auto result = load(kRoom, kProfile);
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const Room& room = *result.room;
  EXPECT_EQ(room.devices.size(), 6u);
  const Device* swing = room.find_device("swing");
  ASSERT_TRUE(swing && swing->as<SwingDrive>());
  const SwingDrive& drive = *swing->as<SwingDrive>();
  EXPECT_EQ(drive.registers.find("heartbeat")->address, 6);  // from the template
  EXPECT_EQ(drive.modbus.unit, 1);
  const ModbusBus* serial = room.find_bus("serial");
  ASSERT_TRUE(serial);
  EXPECT_EQ(serial->type, BusType::rtu);
  EXPECT_EQ(serial->parity, 'E');
  const ModbusLight* tube = room.find_device("tube")->as<ModbusLight>();
  ASSERT_TRUE(tube);
  EXPECT_EQ(tube->modbus.bus, "serial");
  EXPECT_EQ(tube->modbus.poll_period, 300ms);  // the bus's
  EXPECT_EQ(drive.modbus.poll_period, 50ms);   // its kind's default
  const Input* estop = room.find_device("estop")->as<Input>();
  ASSERT_TRUE(estop && estop->modbus());
  EXPECT_EQ(estop->role, InputRole::estop);
  EXPECT_EQ(estop->modbus()->modbus.poll_period, 20ms);
  EXPECT_TRUE(estop->active_low);
  const Calibration& cal = room.calibrations.at("speakers");
  EXPECT_DOUBLE_EQ(cal.dba_at(25), 40.0);
  EXPECT_DOUBLE_EQ(cal.volume_for(70.0), 75.0);
  EXPECT_EQ(room.safe_scene.color, (Rgb{255, 176, 96}));
  EXPECT_DOUBLE_EQ(room.limits.sound.max_dba, 70.0);
  const Child* child = room.find_child("c-1");
  ASSERT_TRUE(child);
  EXPECT_TRUE(child->has(ChildFlag::photosensitive));
  EXPECT_EQ(child->max_dba, 60.0);

  const Profile& p = *room.find_profile("p");
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0].swing->fade.curve, Curve::s_curve);
  EXPECT_EQ(p.steps[0].lights.at(0).fixtures, std::vector<std::string>{"lamp"});
  EXPECT_EQ(p.steps[0].lights.at(0).effect, LightEffect::breathe);
  EXPECT_EQ(p.steps[0].sound->level_dba, 50.0);
  EXPECT_TRUE(p.steps[1].wait_for_go());
  EXPECT_FALSE(p.steps[1].swing.has_value());
  EXPECT_EQ(p.loop, (Loop{0, 0, 2}));
  EXPECT_EQ(p.total_duration(), 120s);
  ASSERT_EQ(p.wind_down.size(), 1u);
  EXPECT_TRUE(p.wind_down[0].sound->mute);
  ASSERT_EQ(p.triggers.size(), 1u);
  EXPECT_EQ(p.triggers[0].mode, TriggerMode::timed);
  EXPECT_EQ(p.triggers[0].steps, std::vector<int>{0});
}

TEST_F(RoomModel, LooseningALimitNeedsAReasonAndIsWarned) {
  std::string room = kRoom;
  room.replace(room.find("max_dba = 70"), 12,
               "max_dba = 80\nmax_dba_reason = \"hearing-impaired group\"");
  auto result = load(room, kProfile);
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  ASSERT_EQ(result.room->limits.loosened.size(), 1u);
  EXPECT_EQ(result.room->limits.loosened[0].key, "limits.sound.max_dba");
  ASSERT_EQ(result.diagnostics.warnings.size(), 1u);
  EXPECT_NE(result.diagnostics.warnings[0].message.find("hearing-impaired group"),
            std::string::npos);
}

// S21: a check switched off is a loosened limit, with its reason, like any other.
TEST_F(RoomModel, AFunctionalCheckSwitchedOffNeedsAReasonAndIsListedAsLoosened) {
  std::string room = kRoom;
  room.replace(room.find("max_dba = 70"), 12,
               "max_dba = 70\n\n[limits.checks]\nestop_interval = \"12h\"\n"
               "door_interval = \"off\"\ndoor_interval_reason = \"the room has no door contact "
               "wired yet\"");
  auto result = load(room, kProfile);
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const auto& checks = result.room->limits.checks;
  EXPECT_EQ(checks.estop_interval, std::chrono::hours(12));
  EXPECT_FALSE(checks.door_interval);
  EXPECT_FALSE(checks.require_validation);
  ASSERT_EQ(result.room->limits.loosened.size(), 1u);
  EXPECT_EQ(result.room->limits.loosened[0].key, "limits.checks.door_interval");
  EXPECT_EQ(result.room->limits.loosened[0].value, "off");
  const auto& tightened = result.room->limits.tightened;
  EXPECT_NE(std::find(tightened.begin(), tightened.end(), "limits.checks.estop_interval"),
            tightened.end());
}

TEST_F(RoomModel, FunctionalChecksAreDailyByDefault) {
  auto result = load(kRoom, kProfile);
  ASSERT_TRUE(result.room);
  EXPECT_EQ(result.room->limits.checks.estop_interval, std::chrono::hours(24));
  EXPECT_EQ(result.room->limits.checks.door_interval, std::chrono::hours(24));
}

// The example room's drive made able to spin, and the first step spinning it.
std::string spinning_room() {
  std::string room = kRoom;
  room.replace(room.find("template = \"drive\"\n"), 19, "template = \"drive\"\nrotary = true\n");
  room.replace(room.find("fault_code = 3 }"), 16,
               "fault_code = 3, speed = 9, direction = 10, measured_speed = 4 }");
  return room;
}

std::string spinning_profile(const std::string& swing) {
  std::string profile = kProfile;
  std::string linear =
      "swing = { mode = \"linear\", amplitude_deg = 10, period = \"4s\", curve = \"s-curve\" }";
  profile.replace(profile.find(linear), linear.size(), swing);
  return profile;
}

TEST_F(RoomModel, ASpinHasASpeedAndADirection) {
  auto result =
      load(spinning_room(), spinning_profile("swing = { mode = \"rotary\", speed_rev_s "
                                             "= 0.15, direction = \"counterclockwise\" }"));
  ASSERT_TRUE(result.room) << result.diagnostics.errors.front().to_string();
  const SwingSetting& swing = *result.room->find_profile("p")->steps[0].swing;
  EXPECT_EQ(swing.mode, SwingMode::rotary);
  EXPECT_DOUBLE_EQ(swing.speed_rev_s, 0.15);
  EXPECT_EQ(swing.direction, Direction::counterclockwise);
  const SwingDrive& drive = *result.room->find_device("swing")->as<SwingDrive>();
  EXPECT_TRUE(drive.rotary);
  EXPECT_EQ(drive.registers.find("speed")->address, 9);
  EXPECT_EQ(drive.registers.find("direction")->address, 10);
  EXPECT_EQ(drive.registers.find("measured_speed")->address, 4);
}

TEST_F(RoomModel, ATimedSpinBeyondTheRevolutionLimitIsAnError) {
  // 0.5 rev/s for the step's 60 s: 30 revolutions in one direction, the room allows 10.
  auto result =
      load(spinning_room(), spinning_profile("swing = { mode = \"rotary\", speed_rev_s = 0.5 }"));
  ASSERT_FALSE(result.room.has_value());
  // The first error; the others are the step's absence seen from the loop and the trigger.
  const Diagnostic& e = result.diagnostics.errors.at(0);
  EXPECT_EQ(std::filesystem::path(e.file).filename(), "p.toml");
  EXPECT_EQ(e.line, 10);
  EXPECT_NE(e.message.find("30 revolutions in one direction"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("limits.rotary.max_revolutions = 10"), std::string::npos);
  EXPECT_NE(e.message.find("at most 20 s long, then rest for at least 10 s"), std::string::npos);
}

TEST_F(RoomModel, RotaryRegistersOnADriveThatCannotSpinAreAnError) {
  std::string room = kRoom;
  room.replace(room.find("heartbeat = 6,"), 14, "heartbeat = 6, speed = 7,");
  auto result = load(room, kProfile);
  ASSERT_FALSE(result.room.has_value());
  ASSERT_EQ(result.diagnostics.errors.size(), 1u) << result.diagnostics.errors[1].to_string();
  const Diagnostic& e = result.diagnostics.errors[0];
  EXPECT_EQ(e.line, 19);
  EXPECT_NE(e.message.find("only used by a rotary drive"), std::string::npos) << e.message;
}

struct Mistake {
  const char* name;
  bool in_profile;  // the change is made to the profile, else to the room
  const char* find;
  const char* replace;
  const char* file;  // where the error must point
  int line;
  const char* message;  // part of the message
};

class RoomMistake : public RoomModel, public ::testing::WithParamInterface<Mistake> {};

TEST_P(RoomMistake, IsReportedWhereItIsWithWhatToChange) {
  const Mistake& m = GetParam();
  std::string room = kRoom;
  std::string profile = kProfile;
  std::string& text = m.in_profile ? profile : room;
  auto at = text.find(m.find);
  ASSERT_NE(at, std::string::npos) << m.find;
  text.replace(at, std::string(m.find).size(), m.replace);
  auto result = load(room, profile);
  ASSERT_FALSE(result.room.has_value()) << "accepted: " << m.name;
  const Diagnostic* found = nullptr;
  for (const auto& e : result.diagnostics.errors) {
    if (e.message.find(m.message) != std::string::npos) found = &e;
  }
  std::string all;
  for (const auto& e : result.diagnostics.errors) all += "\n  " + e.to_string();
  ASSERT_NE(found, nullptr) << "no error mentions '" << m.message << "':" << all;
  EXPECT_EQ(std::filesystem::path(found->file).filename(), m.file) << found->to_string();
  EXPECT_EQ(found->line, m.line) << found->to_string();
  EXPECT_GT(found->column, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RoomMistake,
    ::testing::Values(
        Mistake{"unknown_template", false, "template = \"drive\"", "template = \"drvie\"",
                "room.toml", 22, "template \"drvie\""},
        Mistake{"loosened_without_reason", false, "max_dba = 70", "max_dba = 80", "room.toml", 65,
                "add max_dba_reason"},
        Mistake{"check_off_without_reason", false, "max_dba = 70",
                "max_dba = 70\n\n[limits.checks]\nestop_interval = \"off\"", "room.toml", 68,
                "add estop_interval_reason"},
        Mistake{"check_interval_longer_without_reason", false, "max_dba = 70",
                "max_dba = 70\n\n[limits.checks]\ndoor_interval = \"48h\"", "room.toml", 68,
                "looser than the safety default 1d"},
        Mistake{"check_interval_zero", false, "max_dba = 70",
                "max_dba = 70\n\n[limits.checks]\nestop_interval = \"0s\"", "room.toml", 68,
                "use a duration from 60m to 366d"},
        Mistake{"check_interval_absurd", false, "max_dba = 70",
                "max_dba = 70\n\n[limits.checks]\nestop_interval = \"500d\"\n"
                "estop_interval_reason = \"x\"",
                "room.toml", 68, "use a duration from 60m to 366d"},
        Mistake{"check_interval_negative", false, "max_dba = 70",
                "max_dba = 70\n\n[limits.checks]\nestop_interval = \"-1h\"", "room.toml", 68,
                "write a number with a unit"},
        Mistake{"check_unknown_key", false, "max_dba = 70",
                "max_dba = 70\n\n[limits.checks]\nestop_every = \"24h\"", "room.toml", 68,
                "estop_every"},
        Mistake{"unknown_calibration", false, "calibration = \"speakers\"",
                "calibration = \"speaker\"", "room.toml", 40, "calibration \"speaker\""},
        Mistake{"calibration_not_rising", false, "[50, 60.0]", "[50, 10.0]", "room.toml", 43,
                "must rise"},
        Mistake{"rtu_without_device", false, "device = \"/dev/ttyUSB0\"\n", "", "room.toml", 11,
                "missing key 'device'"},
        Mistake{"bad_parity", false, "parity = \"even\"", "parity = \"evn\"", "room.toml", 15,
                "use none, even or odd"},
        Mistake{"unit_clash", false, "unit = 3", "unit = 1", "room.toml", 24, "both use unit 1"},
        Mistake{"slow_safety_input", false, "active_low = true",
                "active_low = true\npoll_period = \"100ms\"", "room.toml", 52,
                "must be polled every 20 ms or faster"},
        Mistake{"estop_over_mqtt", false, "role = \"child_switch\"", "role = \"estop\"",
                "room.toml", 55, "must be wired to a Modbus I/O module"},
        Mistake{"door_over_mqtt", false, "role = \"child_switch\"", "role = \"door\"", "room.toml",
                55, "door input is a safety input"},
        Mistake{"wildcard_topic", false, "topic = \"z2m/lamp\"", "topic = \"z2m/#\"", "room.toml",
                34, "must be a plain topic"},
        Mistake{"bad_color", false, "color = \"warm-white\"", "color = \"warmwhite\"", "room.toml",
                61, "must be a colour"},
        Mistake{"child_cap_above_limit", false, "max_dba = 60", "max_dba = 72", "room.toml", 69,
                "from 0 to 70 dB"},
        Mistake{"unknown_child_flag", false, "[\"photosensitive\"]", "[\"photosensitve\"]",
                "room.toml", 68, "unknown flag \"photosensitve\""},
        Mistake{"vestibular_child_without_a_lower_amplitude", false, "[\"photosensitive\"]",
                "[\"vestibular_sensitive\"]", "room.toml", 68,
                "is vestibular_sensitive: give it max_amplitude_deg below the room's limit of 30"},
        Mistake{"child_unknown_profile", false, "profiles = [\"p\"]", "profiles = [\"q\"]",
                "room.toml", 70, "profile \"q\", which does not exist"},
        Mistake{"child_name_not_pseudonym", false, "[children.c-1]", "[children.Anna]", "room.toml",
                67, "a pseudonym"},
        Mistake{"sound_over_limit", true, "level = \"50dB\"", "level = \"72dB\"", "p.toml", 12,
                "exceeds the room limit limits.sound.max_dba = 70"},
        Mistake{"strobe_not_allowed", true, "effect = \"breathe\", effect_period = \"8s\"",
                "effect = \"strobe\", effect_period = \"1s\"", "p.toml", 11,
                "off unless the profile sets allow_strobe"},
        Mistake{"unknown_fixture", true, "fixtures = [\"tube\"], color = \"blue\"",
                "fixtures = [\"tub\"], color = \"blue\"", "p.toml", 17, "\"tub\""},
        Mistake{"unknown_group", true, "group = \"ceiling\"", "group = \"ceilng\"", "p.toml", 11,
                "no light is in group \"ceilng\""},
        Mistake{"duration_and_wait", true, "wait_for_go = true",
                "wait_for_go = true\nduration = \"5s\"", "p.toml", 17,
                "both a duration and wait_for_go"},
        Mistake{"loop_unknown_step", true, "to = \"one\"", "to = \"three\"", "p.toml", 21,
                "no step named 'three'"},
        Mistake{"loop_backwards", true, "from = \"one\"\nto = \"one\"",
                "from = \"two\"\nto = \"one\"", "p.toml", 20, "swap from and to"},
        Mistake{"wind_down_waits", true, "name = \"rest\"\nduration = \"20s\"",
                "name = \"rest\"\nwait_for_go = true", "p.toml", 26,
                "cannot wait for the therapist"},
        Mistake{"trigger_not_a_switch", true, "input = \"button\"", "input = \"estop\"", "p.toml",
                32, "is not a child switch"},
        Mistake{"timed_trigger_without_duration", true, "duration = \"8s\"\n", "", "p.toml", 31,
                "missing key 'duration'"},
        Mistake{"need_not_declared", true,
                "needs = [\"swing_drive\", \"light\", \"sound\", \"input\"]",
                "needs = [\"swing_drive\", \"light\", \"input\"]", "p.toml", 4,
                "uses sound but does not list it in needs"},
        Mistake{"duplicate_step_name", true, "name = \"two\"", "name = \"one\"", "p.toml", 14,
                "two steps of profile 'p' are named 'one'"},
        Mistake{"too_long_for_the_session_cap", true, "duration = \"60s\"", "duration = \"40m\"",
                "p.toml", 1, "longer than limits.session.max_duration"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(RoomModel, StrobeFasterThanTheFlashLimitIsRefused) {
  std::string profile = kProfile;
  profile.replace(profile.find("purpose = \"play\""), 16,
                  "purpose = \"play\"\nallow_strobe = true");
  profile.replace(profile.find("effect = \"breathe\", effect_period = \"8s\""), 40,
                  "effect = \"strobe\", effect_period = \"100ms\"");
  auto result = load(kRoom, profile);
  ASSERT_FALSE(result.room);
  bool flash = false;
  bool long_strobe = false;
  for (const auto& e : result.diagnostics.errors) {
    flash = flash ||
            e.message.find("flashes more than limits.light.max_flashes_per_s") != std::string::npos;
    long_strobe = long_strobe || e.message.find("may last at most") != std::string::npos;
  }
  EXPECT_TRUE(flash);
  EXPECT_TRUE(long_strobe);  // the step lasts 60 s, over the 30 s strobe cap
}

TEST_F(RoomModel, SaturatedRedNeverFlashes) {
  std::string profile = kProfile;
  profile.replace(profile.find("purpose = \"play\""), 16,
                  "purpose = \"play\"\nallow_strobe = true");
  profile.replace(profile.find("duration = \"60s\""), 16, "duration = \"20s\"");
  const std::string calm =
      R"(color = "#3050c0", brightness = "30%", effect = "breathe", effect_period = "8s")";
  profile.replace(profile.find(calm), calm.size(),
                  R"(color = "red", brightness = "30%", effect = "strobe", effect_period = "1s")");
  auto result = load(kRoom, profile);
  ASSERT_FALSE(result.room);
  EXPECT_NE(result.diagnostics.errors.front().message.find("saturated red must never flash"),
            std::string::npos)
      << result.diagnostics.errors.front().to_string();
}

}  // namespace
}  // namespace sensoryd::config
