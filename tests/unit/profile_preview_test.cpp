// The profile preview (daemon/preview) against the example room: each example profile's
// computed swing, second by second, and its clamps are what the engine and the supervisor
// produce in the deterministic ControlRig for the same child and intensity; the child's caps
// hold in every sample; a profile the plan does not list yet is still previewed, one the
// child's flags rule out is refused.
#include "daemon/preview/profile_preview.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "daemon/record/status_json.hpp"
#include "test_paths.hpp"
#include "tests/support/control_rig.hpp"

namespace sensoryd::preview {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kExamples =
    std::filesystem::path(SENSORYD_SOURCE_DIR) / "config/examples";

config::Room example_room() {
  auto loaded = config::load_room(kExamples / "room.toml");
  EXPECT_TRUE(loaded.room);
  return loaded.room ? std::move(*loaded.room) : config::Room{};
}

Preview computed(const config::Room& room, const config::Profile& profile,
                 const PreviewRequest& request) {
  auto result = compute_preview(room, profile, request);
  if (const auto* error = std::get_if<PreviewError>(&result)) {
    ADD_FAILURE() << error->code << ": " << error->message;
    return {};
  }
  return std::get<Preview>(std::move(result));
}

// What a session of `profile` sends to the swing in a ControlRig (the engine, the supervisor and
// the real drive driver on a fake bus), sampled as the preview samples: at the start, each whole
// second, and when it ended; Go pressed `go_after` into each wait, the lease renewed as a
// supervising tablet does. Its swing clamps, as
// recorded, with the time they came at.
struct RigRun {
  std::vector<SwingState> swing;
  std::vector<std::pair<double, std::string>> clamps;
};

RigRun run_in_rig(const config::Room& room, const std::string& profile, const std::string& child,
                  double intensity, std::chrono::seconds go_after) {
  test::ControlRig rig(room);
  RigRun run;
  rig.control->tick(rig.t);  // the room ticks while idle, before any start
  Command start;
  start.action = Action::start;
  start.payload = StartFields{profile, child, intensity};
  Outcome outcome = rig.control->execute(start, rig.t, {});
  EXPECT_TRUE(outcome.ok) << outcome.code << ": " << outcome.message;
  if (!outcome.ok) return run;
  rig.control->take_records();
  const auto begun = rig.t;
  auto next_sample = rig.t;
  std::optional<test::ControlRig::Clock::time_point> waiting_since;
  while (true) {
    SessionSnapshot snapshot = rig.control->snapshot(rig.t);
    if (rig.t >= next_sample || snapshot.state == SessionState::idle) {
      run.swing.push_back(rig.supervisor->swing_output());
      next_sample += 1s;
    }
    if (snapshot.state == SessionState::idle) break;
    if (snapshot.waiting_for_go && snapshot.state == SessionState::running) {
      if (!waiting_since) waiting_since = rig.t;
      if (rig.t - *waiting_since >= go_after) {
        Command go;
        go.action = Action::go;
        rig.control->execute(go, rig.t, {});
        waiting_since.reset();
      }
    } else {
      waiting_since.reset();
    }
    if (rig.supervisor->lease_length_s()) rig.supervisor->renew_lease(rig.t);  // a tablet renews
    rig.tick();
    for (auto& record : rig.control->take_records()) {
      if (record.type != EventType::limit_clamped) continue;
      Fields fields;
      for (const auto& field : record.fields) {
        if (field.key != "session_id") fields.set(field.key, field.value);
      }
      run.clamps.emplace_back(std::chrono::duration<double>(rig.t - begun).count(),
                              fields_json(fields));
    }
  }
  return run;
}

void expect_same_swing(const SwingState& preview, const SwingState& rig, double t) {
  EXPECT_EQ(preview.enabled, rig.enabled) << "at " << t << " s";
  EXPECT_EQ(preview.mode, rig.mode) << "at " << t << " s";
  EXPECT_DOUBLE_EQ(preview.amplitude_deg, rig.amplitude_deg) << "at " << t << " s";
  EXPECT_DOUBLE_EQ(preview.period_s, rig.period_s) << "at " << t << " s";
  EXPECT_DOUBLE_EQ(preview.speed_rev_s, rig.speed_rev_s) << "at " << t << " s";
}

TEST(ProfilePreview, EachExampleProfileIsWhatTheEngineAndSupervisorProduceInTheRig) {
  config::Room room = example_room();
  ASSERT_EQ(room.profiles.size(), 4u);
  for (const auto& [id, profile] : room.profiles) {
    // c-022's caps (8 degrees) for the profiles its plan approves; no child for the others.
    std::string child =
        std::find(room.children["c-022"].profiles.begin(), room.children["c-022"].profiles.end(),
                  id) != room.children["c-022"].profiles.end()
            ? "c-022"
            : "";
    SCOPED_TRACE(id + " for '" + child + "'");
    Preview preview = computed(room, profile, {child, 0.8, 7s, 20ms});
    RigRun rig = run_in_rig(room, id, child, 0.8, 7s);
    ASSERT_EQ(preview.samples.size(), rig.swing.size());
    ASSERT_GT(preview.samples.size(), 30u);
    for (std::size_t i = 0; i < rig.swing.size(); ++i) {
      expect_same_swing(preview.samples[i].swing, rig.swing[i], preview.samples[i].t_s);
    }
    std::vector<std::pair<double, std::string>> preview_clamps;
    for (const auto& event : preview.events) {
      if (event.record.type == EventType::limit_clamped &&
          event.record.fields.text("channel") == "swing") {
        Fields fields;
        for (const auto& field : event.record.fields) {
          if (field.key != "session_id") fields.set(field.key, field.value);
        }
        preview_clamps.emplace_back(event.t_s, fields_json(fields));
      }
    }
    EXPECT_EQ(preview_clamps, rig.clamps);
    EXPECT_EQ(preview.ended, "completed");
  }
}

TEST(ProfilePreview, TheChildsCapsHoldInEverySampleAndTheClampSaysWhose) {
  config::Room room = example_room();
  // Calm down's second step asks 12 degrees; c-022's cap is 8.
  Preview preview = computed(room, room.profiles.at("calm-down"), {"c-022", 1.0, 30s, 20ms});
  double widest = 0.0;
  for (const auto& sample : preview.samples) {
    widest = std::max(widest, sample.swing.amplitude_deg);
    for (double dba : sample.sound_dba) EXPECT_LE(dba, 60.0);
  }
  EXPECT_DOUBLE_EQ(widest, 8.0);
  bool clamped_by_child = false;
  for (const auto& event : preview.events) {
    const FieldValue* cap = event.record.fields.find("max_amplitude_deg");
    clamped_by_child = clamped_by_child || (event.record.type == EventType::limit_clamped &&
                                            event.record.fields.text("by") == "child" &&
                                            cap != nullptr && *cap == FieldValue{8.0});
  }
  EXPECT_TRUE(clamped_by_child);
  // Without the child the same step reaches its 12 degrees.
  Preview open = computed(room, room.profiles.at("calm-down"), {"", 1.0, 30s, 20ms});
  double open_widest = 0.0;
  for (const auto& sample : open.samples) {
    open_widest = std::max(open_widest, sample.swing.amplitude_deg);
  }
  EXPECT_DOUBLE_EQ(open_widest, 12.0);
}

TEST(ProfilePreview, LightsAndSoundFollowTheStepsAfterTheirLimits) {
  config::Room room = example_room();
  // Alerting lights the ceiling at 70% then 80%; c-014's cap is 60%.
  Preview preview = computed(room, room.profiles.at("alerting"), {"c-014", 1.0, 30s, 20ms});
  ASSERT_FALSE(preview.lights.empty());
  ASSERT_FALSE(preview.players.empty());
  double brightest = 0.0;
  double loudest = 0.0;
  for (const auto& sample : preview.samples) {
    for (const auto& light : sample.lights) brightest = std::max(brightest, light.brightness_pct);
    for (double dba : sample.sound_dba) loudest = std::max(loudest, dba);
  }
  EXPECT_DOUBLE_EQ(brightest, 60.0);
  EXPECT_GT(loudest, 55.0);  // the upbeat track at 62 dB, within the room's 70
  EXPECT_LE(loudest, 62.0);
  bool light_clamped = false;
  for (const auto& event : preview.events) {
    light_clamped = light_clamped || (event.record.fields.text("channel") == "light" &&
                                      event.record.fields.text("by") == "child");
  }
  EXPECT_TRUE(light_clamped);
  // The last sample is the end: everything at rest and silent.
  const PreviewSample& last = preview.samples.back();
  EXPECT_TRUE(last.step.empty());
  EXPECT_FALSE(last.swing.enabled);
  for (double dba : last.sound_dba) EXPECT_EQ(dba, 0.0);
}

TEST(ProfilePreview, AProfileThePlanDoesNotListYetIsPreviewedAndSaysSo) {
  config::Room room = example_room();
  config::Profile copy = room.profiles.at("calm-down");
  copy.id = "calm-slower";
  Preview preview = computed(room, copy, {"c-022", 1.0, 30s, 20ms});
  EXPECT_NE(preview.not_approved.find("not among the profiles approved for child c-022"),
            std::string::npos)
      << preview.not_approved;
  EXPECT_GT(preview.samples.size(), 300u);
  auto json = preview_json(preview);
  EXPECT_EQ(json["approved"], false);
  EXPECT_EQ(json["samples"]["sample_period_s"], 1);
  EXPECT_EQ(json["samples"]["t"].size(), preview.samples.size());
  EXPECT_EQ(json["samples"]["swing"]["amplitude_deg"].size(), preview.samples.size());
  // Modes at their changes: at rest when it starts, then swinging.
  EXPECT_EQ(json["samples"]["swing"]["mode"][0], (nlohmann::json{0.0, "off"}));
  EXPECT_EQ(json["samples"]["swing"]["mode"][1][1], "linear");
  EXPECT_EQ(json["steps"][0]["name"], "settle");
  EXPECT_EQ(json["steps"].back()["wind_down"], true);
  EXPECT_TRUE(json["dose"].contains("linear"));
}

TEST(ProfilePreview, AReplyTooLargeForTheBrokerIsThinnedAndSaysHowMuch) {
  // A room of 24 fixtures and an hour of samples: a second each would not fit.
  Preview preview;
  preview.profile_id = "big";
  preview.dose = "{}";
  for (int i = 0; i < 24; ++i) preview.lights.push_back("light-" + std::to_string(i));
  for (int n = 0; n <= 3600; ++n) {
    PreviewSample sample;
    sample.t_s = n;
    sample.swing = SwingState{true, config::SwingMode::linear, 7.25, 4.5, 0.0, {}};
    for (int i = 0; i < 24; ++i) sample.lights.push_back({{200, 100, 50}, 33.3 + (n % 7)});
    preview.samples.push_back(sample);
  }
  auto json = preview_json(preview);
  EXPECT_LE(json.dump().size(), kMaxPreviewReplyBytes);
  int every = json["samples"]["sample_period_s"];
  EXPECT_GT(every, 1);
  const auto& t = json["samples"]["t"];
  EXPECT_EQ(t[1], every);
  EXPECT_EQ(t.back(), 3600.0);  // the end is always there
  EXPECT_EQ(json["samples"]["lights"]["light-23"]["brightness_pct"].size(), t.size());
}

TEST(ProfilePreview, AProfileTheChildsFlagsRuleOutIsRefused) {
  config::Room room = example_room();
  config::Profile spin = room.profiles.at("calm-down");
  spin.id = "spin";
  spin.steps[0].swing = config::SwingSetting{.mode = config::SwingMode::rotary,
                                             .speed_rev_s = 0.2,
                                             .fade = config::Fade{5s, config::Curve::linear}};
  auto result = compute_preview(room, spin, {"c-022", 1.0, 30s, 20ms});
  const auto* error = std::get_if<PreviewError>(&result);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, "contraindicated");
  auto unknown = compute_preview(room, spin, {"c-999", 1.0, 30s, 20ms});
  ASSERT_TRUE(std::holds_alternative<PreviewError>(unknown));
  EXPECT_EQ(std::get<PreviewError>(unknown).code, "unknown_child");
  auto too_much = compute_preview(room, spin, {"", 1.5, 30s, 20ms});
  ASSERT_TRUE(std::holds_alternative<PreviewError>(too_much));
  EXPECT_EQ(std::get<PreviewError>(too_much).code, "bad_request");
}

}  // namespace
}  // namespace sensoryd::preview
