// The authoring thread (docs/architecture.md, "Threads"): profile and plan commands wait here, at
// most kMaxWaiting at a time, and are carried out one by one by a ProfileEditor on a thread of its
// own, so that checking a form and syncing a save to disk never hold up the control tick
// (docs/safety.md S19). It keeps its own copy of the room: what it saved or deleted at once, and
// what a reload brought when the logic thread hands it over.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "config/model.hpp"
#include "daemon/authoring/plan_editor.hpp"
#include "daemon/authoring/profile_editor.hpp"
#include "daemon/authoring/profile_store.hpp"

namespace sensoryd::authoring {

class AuthoringThread {
 public:
  // Called on the authoring thread with each result; it must hand it on (to the logic thread).
  using Answer = std::function<void(EditResult)>;
  static constexpr std::size_t kMaxWaiting = 8;
  // How much nicer than the daemon this thread runs (a lower priority: see run()).
  static constexpr int kNiceness = 10;

  // Profiles are kept in <state_dir>/profiles, children's plans in <state_dir>/children.
  // `room`: the room in force, its profiles and children included. `tick`: the room's control
  // tick, which previews compute at.
  AuthoringThread(const std::filesystem::path& state_dir, config::Room room,
                  std::chrono::milliseconds tick = std::chrono::milliseconds{20});
  // Finishes the request under way (a save is never cut short), drops the rest, and joins.
  ~AuthoringThread();
  AuthoringThread(const AuthoringThread&) = delete;
  AuthoringThread& operator=(const AuthoringThread&) = delete;

  // Thread-safe. False when kMaxWaiting requests wait already (the caller answers `busy`).
  bool submit(EditRequest request, Answer answer);
  // Thread-safe. The room after a reload, for the requests after this one.
  void room_changed(config::Room room);

 private:
  void run(std::stop_token stop);

  struct Job {
    EditRequest request;
    Answer answer;
  };
  ProfileStore store_;  // authoring thread only (after construction)
  ProfileEditor editor_;
  ProfileStore plans_;  // the same
  PlanEditor plan_editor_{plans_};
  config::Room room_;  // authoring thread only: the room as its requests see it
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Job> jobs_;                   // guarded by mutex_
  std::optional<config::Room> next_room_;  // guarded by mutex_
  std::jthread thread_;                    // last: started once everything above is made
};

}  // namespace sensoryd::authoring
