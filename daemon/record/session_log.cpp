#include "daemon/record/session_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "daemon/session/command.hpp"
#include "daemon/session/event_type.hpp"

namespace sensoryd {

SessionLog::SessionLog(std::filesystem::path file) : file_(std::move(file)) {
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    error_ = "cannot open " + file_.string() + ": " + std::strerror(errno);
    return;
  }
  // A crash mid-write leaves a line without its newline; end it so the next one parses.
  int reader = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (reader >= 0) {
    char last = '\n';
    off_t size = ::lseek(reader, 0, SEEK_END);
    if (size > 0 && ::pread(reader, &last, 1, size - 1) == 1 && last != '\n') {
      if (::write(fd_, "\n", 1) != 1) error_ = std::string("write: ") + std::strerror(errno);
    }
    ::close(reader);
  }
}

SessionLog::~SessionLog() {
  if (fd_ >= 0) ::close(fd_);
}

bool SessionLog::healthy() const {
  std::lock_guard lock(mutex_);
  return error_.empty();
}

std::string SessionLog::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

bool SessionLog::append(const std::vector<std::string>& json_objects) {
  if (fd_ < 0) return false;
  // A batch that failed part-way left a torn line: end it, so the next record parses.
  std::string text = torn_ ? "\n" : "";
  for (const auto& object : json_objects) text += object + "\n";
  torn_ = true;
  const char* data = text.data();
  std::size_t left = text.size();
  auto fail = [this](const char* what) {
    std::lock_guard lock(mutex_);
    error_ = std::string(what) + " " + file_.string() + ": " + std::strerror(errno);
    return false;
  };
  while (left > 0) {
    ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  torn_ = false;
  if (::fdatasync(fd_) != 0) return fail("cannot sync");
  std::lock_guard lock(mutex_);
  error_.clear();
  return true;
}

std::vector<std::string> SessionLog::read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  // Only a regular file is read: a log pointed at a device (a test's /dev/full) has no records.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return lines;
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // torn last line: not a record
    std::string line = text.substr(start, end - start);
    if (nlohmann::json::parse(line, nullptr, false).is_object()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::optional<std::string> SessionLog::unfinished_session(const std::vector<std::string>& records) {
  std::optional<std::string> open;
  for (const auto& record : records) {
    auto j = nlohmann::json::parse(record, nullptr, false);
    std::optional<EventType> type = event_named(j.value("type", ""));
    std::string id = j.value("session_id", "");
    if (type == EventType::session_started) {
      open = id;
    } else if (type == EventType::session_ended && open && id == *open) {
      open.reset();
    }
  }
  return open;
}

int SessionLog::sessions_started(const std::vector<std::string>& records) {
  int count = 0;
  for (const auto& record : records) {
    auto j = nlohmann::json::parse(record, nullptr, false);
    if (event_named(j.value("type", "")) == EventType::session_started) ++count;
  }
  return count;
}

std::vector<FunctionalChecks::Pass> SessionLog::checks_passed(
    const std::vector<std::string>& records) {
  std::vector<FunctionalChecks::Pass> passes;
  for (const auto& record : records) {
    auto j = nlohmann::json::parse(record, nullptr, false);
    if (!j.is_object() || event_named(j.value("type", "")) != EventType::safety_check_passed) {
      continue;
    }
    auto at = parse_utc_timestamp(j.value("checked_at", ""));
    if (!at) continue;  // not one this version wrote
    FunctionalChecks::Pass pass;
    pass.input = j.value("input", "");
    pass.role = j.value("role", "") == "door" ? config::InputRole::door : config::InputRole::estop;
    pass.at = *at;
    pass.by = j.value("by", "");
    pass.press_to_stop_ms = j.value("press_to_stop_ms", 0.0);
    passes.push_back(std::move(pass));
  }
  return passes;
}

ValidationState::History SessionLog::validation_history(const std::vector<std::string>& records) {
  ValidationState::History history;
  for (const auto& record : records) {
    auto j = nlohmann::json::parse(record, nullptr, false);
    if (!j.is_object()) continue;
    auto type = event_named(j.value("type", ""));
    if (type == EventType::validation_signed) {
      auto at = parse_utc_timestamp(j.value("signed_at", ""));
      if (!at) continue;
      history.last = ValidationState::SignOff{j.value("by", ""), *at, j.value("safety_sha256", "")};
      history.changed_at.reset();
    } else if ((type == EventType::config_loaded || type == EventType::config_reloaded) &&
               history.last && !history.changed_at && j.contains("safety_sha256") &&
               j.value("safety_sha256", "") != history.last->safety_sha256) {
      history.changed_at = parse_utc_timestamp(j.value("ts", ""));
    }
  }
  return history;
}

}  // namespace sensoryd
