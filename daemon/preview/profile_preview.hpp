// A profile's preview (docs/profiles.md, profile_preview): the session the room would run,
// computed in-process by the room's own session control, engine, safety supervisor, scene
// planner and scene guard at simulated time against computed equipment (computed_devices.hpp),
// so every limit, child cap and clamp is the one that would act, and nothing moves. Sampled
// once a second, with every event and clamp at its time and the dose the session would give.
// Deterministic; runs on the authoring thread, never on the logic thread (S19).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "daemon/safety/swing_limiter.hpp"
#include "daemon/session/record.hpp"
#include "devices/light_fixture.hpp"

namespace sensoryd::preview {

struct PreviewRequest {
  std::string child;  // empty: none; else that child's caps, flags and plan apply
  double intensity = 1.0;
  // A step that waits for the therapist's Go is shown held this long, then released.
  std::chrono::seconds go_after{30};
  std::chrono::milliseconds tick{20};  // the room's control tick
};
inline constexpr std::chrono::seconds kMaxGoAfter{600};

struct PreviewSample {
  double t_s = 0.0;
  std::string step;  // the step in force; empty once the session ended
  bool wind_down = false;
  SwingState swing;                           // as sent to the drive, after every limit
  std::vector<devices::LightCommand> lights;  // per fixture, in Preview::lights' order
  std::vector<double> sound_dba;              // per player, at the listener; 0 is silence
};

struct PreviewEvent {
  double t_s = 0.0;
  Record record;  // step_changed, limit_clamped or session_ended, as the clinical log has them
};

struct Preview {
  std::string profile_id;
  std::string child;
  double intensity = 1.0;
  std::vector<std::string> lights;   // fixture ids
  std::vector<std::string> players;  // player ids
  std::vector<PreviewSample> samples;
  std::vector<PreviewEvent> events;
  double duration_s = 0.0;
  std::string ended;  // session_ended's reason: completed, session_length_cap
  std::string dose;   // the `dose` object session_ended would carry (JSON)
  // Set when the child's plan does not list the profile: the preview is what the child would
  // get once the plan approves it; a start is refused until then.
  std::string not_approved;
};

struct PreviewError {
  std::string code;  // unknown_child, contraindicated, bad_request
  std::string message;
};

// `profile` has been checked (config::check_profile_form or the loader); it stands in for any
// profile of `room` with its id.
std::variant<Preview, PreviewError> compute_preview(const config::Room& room,
                                                    const config::Profile& profile,
                                                    const PreviewRequest& request);

// The largest preview reply: well within the secure broker's max_packet_size (256 KiB), which
// would drop sensoryd's connection for a larger message.
inline constexpr std::size_t kMaxPreviewReplyBytes = 160 * 1024;

// The preview as profile_preview's reply has it (docs/mqtt-api.md): samples in columns, one a
// second, or thinned to fit kMaxPreviewReplyBytes (`sample_period_s` says).
nlohmann::json preview_json(const Preview& preview);

}  // namespace sensoryd::preview
