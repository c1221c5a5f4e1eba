#include "daemon/authoring/authoring_thread.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace sensoryd::authoring {

AuthoringThread::AuthoringThread(const std::filesystem::path& state_dir, config::Room room,
                                 std::chrono::milliseconds tick)
    : store_(state_dir / "profiles"),
      editor_(store_, tick),
      plans_(state_dir / "children"),
      room_(std::move(room)),
      thread_([this](std::stop_token stop) { run(stop); }) {}

AuthoringThread::~AuthoringThread() {
  thread_.request_stop();
  wake_.notify_all();
}

bool AuthoringThread::submit(EditRequest request, Answer answer) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= kMaxWaiting) return false;
    jobs_.push_back({std::move(request), std::move(answer)});
  }
  wake_.notify_one();
  return true;
}

void AuthoringThread::room_changed(config::Room room) {
  {
    std::lock_guard lock(mutex_);
    next_room_ = std::move(room);
  }
  wake_.notify_one();
}

void AuthoringThread::run(std::stop_token stop) {
  // A preview takes a core for a few hundred milliseconds, and a save its syncs: on a room
  // computer of two cores this thread yields to the control tick and the bus workers (S19).
  // Linux keeps a nice value per thread.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()),
                  getpriority(PRIO_PROCESS, 0) + kNiceness) != 0) {
    spdlog::warn("authoring thread: could not lower its priority; it runs at the daemon's");
  }
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !jobs_.empty() || next_room_; })) return;
      if (next_room_) {
        room_ = std::move(*next_room_);
        next_room_.reset();
      }
      if (jobs_.empty()) continue;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    bool plan = job.request.action == Action::child_plan_save ||
                job.request.action == Action::child_plan_history;
    EditResult result =
        plan ? plan_editor_.handle(job.request, room_) : editor_.handle(job.request, room_);
    // What this thread saved or deleted is in force for its next request at once.
    if (result.saved) room_.profiles[result.saved->id] = *result.saved;
    if (!result.deleted.empty()) room_.profiles.erase(result.deleted);
    if (result.plan) room_.children.insert_or_assign(result.plan->id, *result.plan);
    job.answer(std::move(result));
  }
}

}  // namespace sensoryd::authoring
