#include "daemon/authoring/authoring_thread.hpp"

#include <spdlog/spdlog.h>

namespace sensoryd::authoring {

AuthoringThread::AuthoringThread(std::filesystem::path profiles_dir, config::Room room,
                                 std::chrono::milliseconds tick)
    : store_(std::move(profiles_dir)),
      editor_(store_, tick),
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
    EditResult result = editor_.handle(job.request, room_);
    // What this thread saved or deleted is in force for its next request at once.
    if (result.saved) room_.profiles[result.saved->id] = *result.saved;
    if (!result.deleted.empty()) room_.profiles.erase(result.deleted);
    job.answer(std::move(result));
  }
}

}  // namespace sensoryd::authoring
