// The session's dose (docs/clinical-record.md), each figure against a hand-computed case: linear
// oscillations and amplitudes, rotary revolutions through a reversal, pauses and trips, light by
// colour family and flashes, sound through a room's calibration; and the same dose again from
// the 1 Hz time series an interrupted session leaves.
#include "daemon/record/dose.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>

#include "daemon/record/time_series.hpp"
#include "daemon/scene/sound_limiter.hpp"

namespace sensoryd {
namespace {

using namespace std::chrono_literals;
using config::Direction;
using config::SwingMode;

// Feeds `seconds` of one state at 50 Hz, as the control tick does.
void run(DoseMeter& meter, DoseSample sample, double seconds) {
  sample.seconds = 0.02;
  for (int i = 0; i < static_cast<int>(std::lround(seconds * 50)); ++i) meter.add(sample);
}

DoseSample swinging(double amplitude_deg, double period_s) {
  DoseSample s;
  s.swing.enabled = true;
  s.swing.mode = SwingMode::linear;
  s.swing.amplitude_deg = amplitude_deg;
  s.swing.period_s = period_s;
  return s;
}

DoseSample spinning(double speed_rev_s, Direction direction) {
  DoseSample s;
  s.swing.enabled = true;
  s.swing.mode = SwingMode::rotary;
  s.swing.speed_rev_s = speed_rev_s;
  s.swing.direction = direction;
  return s;
}

TEST(Dose, LinearSwingCountsOscillationsAndWeighsAmplitudeByOscillationAndByTime) {
  DoseMeter meter;
  meter.begin({}, {});
  run(meter, swinging(20.0, 4.0), 10.0);  // 2.5 oscillations of 20 deg
  run(meter, swinging(10.0, 2.0), 10.0);  // 5 oscillations of 10 deg
  run(meter, DoseSample{}, 5.0);          // at rest
  Dose d = meter.summary();
  EXPECT_NEAR(d.duration_s, 25.0, 1e-9);
  EXPECT_NEAR(d.time_in_motion_s, 20.0, 1e-9);
  EXPECT_NEAR(d.linear_s, 20.0, 1e-9);
  EXPECT_NEAR(d.oscillations, 7.5, 1e-9);
  // Per oscillation: (2.5 * 20 + 5 * 10) / 7.5 = 13.33; per second: (10 * 20 + 10 * 10) / 20.
  EXPECT_NEAR(d.mean_amplitude_deg, 100.0 / 7.5, 1e-9);
  EXPECT_NEAR(d.time_weighted_amplitude_deg, 15.0, 1e-9);
  EXPECT_DOUBLE_EQ(d.peak_amplitude_deg, 20.0);
  EXPECT_EQ(d.rotary_s, 0.0);
}

TEST(Dose, AnEnabledSwingAtZeroAmplitudeOrADisabledOneIsNotMotion) {
  DoseMeter meter;
  meter.begin({}, {});
  run(meter, swinging(0.0, 4.0), 3.0);
  DoseSample disabled = swinging(15.0, 3.0);
  disabled.swing.enabled = false;
  run(meter, disabled, 3.0);
  Dose d = meter.summary();
  EXPECT_EQ(d.time_in_motion_s, 0.0);
  EXPECT_EQ(d.oscillations, 0.0);
  EXPECT_EQ(d.mean_amplitude_deg, 0.0);  // no division by zero oscillations
}

TEST(Dose, RotaryRevolutionsAreCountedPerDirectionThroughAReversalAndItsPause) {
  DoseMeter meter;
  meter.begin({}, {});
  run(meter, spinning(0.5, Direction::clockwise), 10.0);  // 5 revolutions
  DoseSample held;                                        // S8: held at rest before reversing
  held.swing.mode = SwingMode::rotary;
  held.rotary_held = true;
  held.swing.direction = Direction::counterclockwise;
  run(meter, held, 3.0);
  run(meter, spinning(0.25, Direction::counterclockwise), 4.0);  // 1 revolution
  Dose d = meter.summary();
  EXPECT_NEAR(d.revolutions_clockwise, 5.0, 1e-9);
  EXPECT_NEAR(d.revolutions_counterclockwise, 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(d.peak_rate_rev_s, 0.5);
  EXPECT_NEAR(d.rotary_s, 14.0, 1e-9);
  EXPECT_NEAR(d.time_in_motion_s, 14.0, 1e-9);
  EXPECT_EQ(d.rotary_pauses, 1);
  EXPECT_NEAR(d.rotary_pause_s, 3.0, 1e-9);
}

TEST(Dose, PausesTripsAndClampsAreCountedWhenTheyBeginAndTimedWhileTheyLast) {
  DoseMeter meter;
  meter.begin({}, {});
  run(meter, swinging(10.0, 4.0), 4.0);
  DoseSample paused;
  paused.paused = true;
  run(meter, paused, 6.0);
  DoseSample clamped = swinging(12.0, 4.0);
  clamped.clamped = true;
  run(meter, clamped, 2.0);
  DoseSample tripped;
  tripped.tripped = true;
  tripped.paused = true;  // a trip pauses the session
  run(meter, tripped, 1.5);
  run(meter, paused, 1.0);
  run(meter, swinging(10.0, 4.0), 4.0);
  run(meter, tripped, 0.5);  // a second trip, which pauses the session again
  Dose d = meter.summary();
  EXPECT_EQ(d.pauses, 3);  // the paused stretch through the first trip is one pause
  EXPECT_NEAR(d.paused_s, 6.0 + 1.5 + 1.0 + 0.5, 1e-9);
  EXPECT_EQ(d.trips, 2);
  EXPECT_NEAR(d.tripped_s, 2.0, 1e-9);
  EXPECT_EQ(d.clamps, 1);
  EXPECT_NEAR(d.clamped_s, 2.0, 1e-9);
  EXPECT_NEAR(d.time_in_motion_s, 10.0, 1e-9);  // nothing moved while paused
}

TEST(Dose, MeasuredMotionIsSummedOnlyWhileTheDriveReportsIt) {
  DoseMeter meter;
  meter.begin({}, {});
  DoseSample s = spinning(0.5, Direction::clockwise);
  run(meter, s, 2.0);  // no reading yet
  s.measured = true;
  s.measured_speed_rev_s = -0.4;  // the drive's sign: its own convention
  run(meter, s, 5.0);
  s.measured_speed_rev_s = 0.005;  // jitter at rest
  run(meter, s, 1.0);
  Dose d = meter.summary();
  EXPECT_NEAR(d.measured_s, 6.0, 1e-9);
  EXPECT_NEAR(d.measured_motion_s, 5.0, 1e-9);
  EXPECT_NEAR(d.measured_revolutions, 2.0 + 0.005, 1e-9);
}

TEST(Dose, ColoursFallIntoTheFamiliesATherapistNames) {
  EXPECT_EQ(colour_family({255, 0, 0}), ColourFamily::red);
  EXPECT_EQ(colour_family({255, 128, 0}), ColourFamily::orange);
  EXPECT_EQ(colour_family({255, 230, 0}), ColourFamily::yellow);
  EXPECT_EQ(colour_family({0, 200, 40}), ColourFamily::green);
  EXPECT_EQ(colour_family({0, 200, 210}), ColourFamily::cyan);
  EXPECT_EQ(colour_family({20, 60, 255}), ColourFamily::blue);
  EXPECT_EQ(colour_family({140, 0, 255}), ColourFamily::purple);
  EXPECT_EQ(colour_family({255, 0, 140}), ColourFamily::pink);
  EXPECT_EQ(colour_family({255, 176, 96}), ColourFamily::orange);  // the safe scene's warm white
  EXPECT_EQ(colour_family({255, 240, 225}), ColourFamily::white);
  EXPECT_EQ(colour_family({0, 0, 0}), ColourFamily::white);
}

TEST(Dose, LightTimeIsSplitByColourFamilyAndFlashesAreCountedInWholeSecondsOfTheSession) {
  DoseMeter meter;
  meter.begin({"ceiling", "tube"}, {});
  DoseSample s;
  s.lights.resize(2);
  s.lights[0] = {{0, 0, 255}, 40.0, 0, -1.0};
  s.lights[1] = {{0, 0, 0}, 0.0, 0, -1.0};
  run(meter, s, 3.0);
  s.lights[0] = {{255, 0, 0}, 80.0, 0, -1.0};
  run(meter, s, 2.0);
  // The tube flashes: four changes of level inside the session's 6th second (two flashes), and
  // one change in its 8th (no flash).
  s.seconds = 0.02;
  s.lights[1].brightness_pct = 50.0;
  for (int tick = 0; tick < 150; ++tick) {  // 5.00 s to 8.00 s
    s.lights[1].transitions = (tick == 10 || tick == 20 || tick == 30 || tick == 40 || tick == 110);
    meter.add(s);
  }
  Dose d = meter.summary();
  ASSERT_EQ(d.lights.size(), 2u);
  EXPECT_NEAR(d.lights[0].lit_s, 8.0, 1e-9);
  EXPECT_NEAR(d.lights[0].family_s[static_cast<std::size_t>(ColourFamily::blue)], 3.0, 1e-9);
  EXPECT_NEAR(d.lights[0].family_s[static_cast<std::size_t>(ColourFamily::red)], 5.0, 1e-9);
  EXPECT_DOUBLE_EQ(d.lights[0].peak_brightness_pct, 80.0);
  EXPECT_EQ(d.lights[1].flashes, 2);
  EXPECT_DOUBLE_EQ(d.lights[1].flashing_s, 1.0);
  EXPECT_NEAR(d.lights[1].lit_s, 3.0, 1e-9);
}

TEST(Dose, SoundLevelIsTheEnergyAverageOfWhatTheCalibrationSaysThePlayerGivesAtTheListener) {
  // The room's table: volume 60 gives 65 dB(A), 80 gives 73. A wanted 70 dB(A) is sent as
  // volume 72 (the highest at or under it: 60 + 20 * 5/8 = 72.5, rounded down), which gives
  // 65 + 8 * 12/20 = 69.8 at the listener; a wanted 60 is volume 48 (40 + 20 * 4/9), 59.6.
  config::Calibration calibration{
      "room", {{0, 20.0}, {20, 45.0}, {40, 56.0}, {60, 65.0}, {80, 73.0}, {100, 80.0}}};
  config::SoundLimits limits;
  limits.max_rise_db_s = 1e6;  // no slew: the figures are the table's
  SoundLimiter limiter{limits, calibration};
  DoseMeter meter;
  meter.begin({}, {"speaker"});
  DoseSample s;
  s.sounds.resize(1);
  s.seconds = 0.02;
  auto t = std::chrono::steady_clock::time_point{1h};
  limiter.update({true, "rain", 70.0}, false, t);  // starts from the floor: not counted
  for (const double wanted : {70.0, 60.0}) {
    for (int i = 0; i < 500; ++i) {  // 10 s each
      t += 20ms;
      s.sounds[0].level_dba = limiter.update({true, "rain", wanted}, false, t).level_dba;
      meter.add(s);
    }
  }
  s.sounds[0].level_dba = 0.0;  // silence: not part of the level
  run(meter, s, 5.0);
  Dose d = meter.summary();
  double expected =
      10.0 * std::log10((10.0 * std::pow(10.0, 6.98) + 10.0 * std::pow(10.0, 5.96)) / 20.0);
  EXPECT_NEAR(d.sounds[0].leq_dba, expected, 0.01);  // 67.19
  EXPECT_NEAR(d.sounds[0].peak_dba, 69.8, 1e-9);
  EXPECT_NEAR(d.sounds[0].playing_s, 20.0, 1e-9);
  EXPECT_NEAR(d.sound_leq_dba, expected, 0.01);
}

TEST(Dose, TwoPlayersAtOnceAreLouderTogetherThanEither) {
  DoseMeter meter;
  meter.begin({}, {"left", "right"});
  DoseSample s;
  s.sounds = {{60.0, -1.0}, {60.0, -1.0}};
  run(meter, s, 10.0);
  Dose d = meter.summary();
  EXPECT_NEAR(d.sounds[0].leq_dba, 60.0, 1e-9);
  EXPECT_NEAR(d.sound_leq_dba, 60.0 + 10.0 * std::log10(2.0), 1e-9);  // 63.01
  EXPECT_NEAR(d.sound_playing_s, 10.0, 1e-9);
  EXPECT_NEAR(d.sound_peak_dba, 60.0 + 10.0 * std::log10(2.0), 1e-9);
}

TEST(Dose, ASampleOfAnotherShapeOrNoLengthChangesNothing) {
  DoseMeter meter;
  meter.begin({"ceiling"}, {});
  DoseSample wrong = swinging(10.0, 2.0);  // no light in it
  wrong.seconds = 1.0;
  meter.add(wrong);
  DoseSample empty = swinging(10.0, 2.0);
  empty.lights.resize(1);
  empty.seconds = 0.0;
  meter.add(empty);
  EXPECT_EQ(meter.summary().duration_s, 0.0);
}

TEST(Dose, TheJsonSummaryCarriesEveryFigureRounded) {
  DoseMeter meter;
  meter.begin({"ceiling"}, {"speaker"});
  DoseSample s = swinging(12.345, 3.0);
  s.lights = {{{0, 0, 255}, 30.0, 0, -1.0}};
  s.sounds = {{55.0, -1.0}};
  run(meter, s, 9.0);
  auto j = nlohmann::json::parse(dose_json(meter.summary(), "control_loop"));
  EXPECT_EQ(j["source"], "control_loop");
  EXPECT_DOUBLE_EQ(j["time_in_motion_s"].get<double>(), 9.0);
  EXPECT_DOUBLE_EQ(j["linear"]["oscillations"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(j["linear"]["peak_amplitude_deg"].get<double>(), 12.3);
  EXPECT_DOUBLE_EQ(j["light"][0]["colour_s"]["blue"].get<double>(), 9.0);
  EXPECT_EQ(j["light"][0]["device"], "ceiling");
  EXPECT_DOUBLE_EQ(j["sound"]["players"][0]["leq_dba"].get<double>(), 55.0);
  EXPECT_TRUE(j["measured"].is_null());  // the drive reported nothing
  EXPECT_EQ(j["trips"]["count"], 0);
}

TEST(Dose, ALoggedDoseReadsBackAsTheDoseItWasWrittenFrom) {
  DoseMeter meter;
  meter.begin({"ceiling", "tube"}, {"speaker"});
  DoseSample s = swinging(12.345, 3.0);
  s.lights = {{{0, 0, 255}, 30.0, 1, -1.0}, {{255, 0, 0}, 0.0, 0, -1.0}};
  s.sounds = {{55.0, -1.0}};
  s.measured = true;
  s.measured_amplitude_deg = 11.0;
  run(meter, s, 9.0);
  DoseSample spin = spinning(0.3, Direction::counterclockwise);
  spin.lights = s.lights;
  spin.sounds = s.sounds;
  spin.paused = true;
  run(meter, spin, 4.0);
  std::string written = dose_json(meter.summary(), "time_series");
  auto read = read_dose(written);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->source, "time_series");
  EXPECT_DOUBLE_EQ(read->dose.oscillations, 3.0);
  EXPECT_DOUBLE_EQ(read->dose.revolutions_counterclockwise, 1.2);
  EXPECT_EQ(read->dose.lights.at(1).device, "tube");
  EXPECT_GT(read->dose.lights.at(0).flashes, 0);
  // Every figure: written again, the text is the same.
  EXPECT_EQ(dose_json(read->dose, read->source), written);
}

TEST(Dose, ATextThatIsNotAWholeDoseIsNotReadAsZeros) {
  DoseMeter meter;
  meter.begin({"ceiling"}, {});
  run(meter, swinging(10.0, 4.0), 2.0);
  auto whole = nlohmann::json::parse(dose_json(meter.summary(), "control_loop"));
  ASSERT_TRUE(read_dose(whole.dump()).has_value());
  for (const char* path : {"/duration_s", "/linear/oscillations", "/rotary/pauses",
                           "/light/0/lit_s", "/sound/players", "/trips/count", "/source"}) {
    auto spoilt = whole;
    spoilt[nlohmann::json::json_pointer(path)] = "twelve";
    EXPECT_FALSE(read_dose(spoilt.dump()).has_value()) << path;
  }
  EXPECT_FALSE(read_dose("").has_value());
  EXPECT_FALSE(read_dose("[1,2]").has_value());
  EXPECT_FALSE(read_dose(R"({"source":"control_loop"})").has_value());
}

TEST(Dose, TheTimeSeriesOfASessionAddsUpToTheSameDoseAtOneSamplePerSecond) {
  DoseMeter live;
  live.begin({"ceiling"}, {"speaker"});
  std::vector<std::string> lines;
  auto ts = std::chrono::system_clock::time_point{};
  auto second = [&](DoseSample s) {
    s.seconds = 1.0;
    live.add(s);
    lines.push_back(series_line("s-1", live.summary().duration_s, ts, s, live));
  };
  DoseSample s = swinging(15.0, 3.0);
  s.lights = {{{0, 200, 40}, 60.0, 0, 55.0}};
  s.sounds = {{62.0, 40.0}};
  for (int i = 0; i < 30; ++i) second(s);
  s.paused = true;
  s.swing.enabled = false;
  s.lights[0].transitions = 3;
  for (int i = 0; i < 5; ++i) second(s);
  s = spinning(0.2, Direction::counterclockwise);
  s.lights = {{{0, 200, 40}, 60.0, 0, 55.0}};
  s.sounds = {{0.0, -1.0}};
  s.measured = true;
  s.measured_speed_rev_s = 0.2;
  for (int i = 0; i < 10; ++i) second(s);
  lines.push_back("{\"session_id\":\"s-1\",\"torn");  // a kill mid-line: not a sample

  auto replayed = dose_from_series(lines);
  ASSERT_TRUE(replayed.has_value());
  Dose d = live.summary();
  EXPECT_DOUBLE_EQ(replayed->duration_s, 45.0);
  EXPECT_DOUBLE_EQ(replayed->oscillations, d.oscillations);  // 10
  EXPECT_DOUBLE_EQ(replayed->time_weighted_amplitude_deg, 15.0);
  EXPECT_DOUBLE_EQ(replayed->revolutions_counterclockwise, 2.0);
  EXPECT_EQ(replayed->pauses, 1);
  EXPECT_DOUBLE_EQ(replayed->paused_s, 5.0);
  EXPECT_EQ(replayed->lights[0].flashes, 7);  // 15 changes
  EXPECT_DOUBLE_EQ(replayed->lights[0].flashing_s, 5.0);
  EXPECT_DOUBLE_EQ(replayed->lights[0].family_s[static_cast<std::size_t>(ColourFamily::green)],
                   45.0);
  EXPECT_NEAR(replayed->sounds[0].leq_dba, 62.0, 1e-9);
  EXPECT_DOUBLE_EQ(replayed->measured_revolutions, 2.0);
  EXPECT_EQ(dose_from_series({}), std::nullopt);
}

}  // namespace
}  // namespace sensoryd
