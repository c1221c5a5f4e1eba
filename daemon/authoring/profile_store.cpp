#include "daemon/authoring/profile_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "config/fingerprint.hpp"
#include "config/profile_loader.hpp"

namespace sensoryd::authoring {

namespace {

namespace fs = std::filesystem;

StoreError storage_failed(const std::string& what, const fs::path& path, int error) {
  return {"storage_failed", "cannot " + what + " " + path.string() + ": " + std::strerror(error) +
                                "; nothing was changed"};
}

// A file's size as the history's bound counts it: at least one 4 KiB block.
std::uintmax_t on_disk(std::uintmax_t bytes) {
  constexpr std::uintmax_t kBlock = 4096;
  return std::max<std::uintmax_t>(kBlock, (bytes + kBlock - 1) / kBlock * kBlock);
}

std::optional<StoreError> sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return storage_failed("open", dir, errno);
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) return storage_failed("sync", dir, error);
  return std::nullopt;
}

// Whether a write must survive a power loss by itself: the history's file, which is the
// commit, must; the copy in force need not, since opening the store puts it right from history.
enum class Durable { yes, no };

// `bytes` at `path`, or the file as it was: a temporary file beside it, renamed over it; when
// durable, the file synced before and the directory after the rename, so that both survive a
// power loss.
std::optional<StoreError> write_atomically(const fs::path& path, std::string_view bytes,
                                           Durable durable) {
  fs::path temporary = path.parent_path() / ("." + path.filename().string() + ".tmp");
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return storage_failed("create", temporary, errno);
  const char* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      int error = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return storage_failed("write", temporary, error);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  if (durable == Durable::yes && ::fdatasync(fd) != 0) {
    int error = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    return storage_failed("sync", temporary, error);
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    return storage_failed("rename", temporary, error);
  }
  if (durable == Durable::no) return std::nullopt;
  return sync_directory(path.parent_path());
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "<n>.toml" or "<n>.deleted", n from 1.
std::optional<StoredVersion> version_of(const fs::path& file) {
  std::string ext = file.extension().string();
  if (ext != ".toml" && ext != ".deleted") return std::nullopt;
  std::string stem = file.stem().string();
  if (stem.empty() || stem.size() > 9 ||
      !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  StoredVersion v;
  v.version = std::stoi(stem);
  v.deleted = ext == ".deleted";
  if (v.version < 1) return std::nullopt;
  return v;
}

}  // namespace

std::optional<StoreError> ProfileStore::check_id(std::string_view id) {
  if (config::is_profile_id(id)) return std::nullopt;
  return StoreError{"bad_id", "a profile id is " + std::string{config::kProfileIdRule}};
}

ProfileStore::ProfileStore(fs::path dir, std::uintmax_t max_history_bytes)
    : dir_(std::move(dir)), max_history_bytes_(max_history_bytes) {
  std::error_code ec;
  fs::create_directories(dir_ / "history", ec);
  if (ec) {
    spdlog::error("profiles: cannot create {}: {}", (dir_ / "history").string(), ec.message());
    return;
  }
  for (const auto& entry : fs::directory_iterator(dir_ / "history", ec)) {
    std::string id = entry.path().filename().string();
    if (!entry.is_directory() || check_id(id)) continue;
    if (auto error = settle(id, true)) spdlog::error("profiles: {}", error->message);
    std::error_code file_ec;
    for (const auto& file : fs::directory_iterator(entry.path(), file_ec)) {
      if (file.is_regular_file(file_ec)) history_bytes_ += on_disk(file.file_size(file_ec));
    }
  }
}

fs::path ProfileStore::history_dir(std::string_view id) const {
  return dir_ / "history" / std::string(id);
}

std::vector<StoredVersion> ProfileStore::history(std::string_view id) const {
  std::vector<StoredVersion> versions;
  if (check_id(id)) return versions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(history_dir(id), ec)) {
    if (!entry.is_regular_file()) continue;
    auto v = version_of(entry.path());
    if (!v) continue;
    if (!v->deleted) {
      auto bytes = read_file(entry.path());
      v->sha256 = bytes ? config::sha256_hex(*bytes) : std::string("unreadable");
    }
    versions.push_back(*v);
  }
  std::sort(versions.begin(), versions.end(),
            [](const StoredVersion& a, const StoredVersion& b) { return a.version < b.version; });
  return versions;
}

int ProfileStore::latest(std::string_view id) const {
  // From the files' names alone: history() reads and hashes every version.
  int latest = 0;
  if (check_id(id)) return latest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(history_dir(id), ec)) {
    if (!entry.is_regular_file()) continue;
    if (auto v = version_of(entry.path())) latest = std::max(latest, v->version);
  }
  return latest;
}

std::vector<std::string> ProfileStore::ids() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ / "history", ec)) {
    std::string id = entry.path().filename().string();
    if (check_id(id)) continue;
    auto versions = history(id);
    if (!versions.empty() && !versions.back().deleted) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> ProfileStore::text(std::string_view id) const {
  auto versions = history(id);
  if (versions.empty() || versions.back().deleted) return std::nullopt;
  return text(id, versions.back().version);
}

std::optional<std::string> ProfileStore::text(std::string_view id, int version) const {
  if (check_id(id) || version < 1) return std::nullopt;
  return read_file(history_dir(id) / (std::to_string(version) + ".toml"));
}

std::optional<StoreError> ProfileStore::check_base(std::string_view id, int base_version) const {
  if (auto error = check_id(id)) return error;
  int now = latest(id);
  if (base_version == now) return std::nullopt;
  return StoreError{"version_conflict",
                    "profile '" + std::string(id) + "' is at version " + std::to_string(now) +
                        ", not " + std::to_string(base_version) +
                        ": someone saved it meanwhile; reload it and make the change again"};
}

std::variant<StoredVersion, StoreError> ProfileStore::save(std::string_view id,
                                                           std::string_view text,
                                                           int base_version) {
  if (auto error = check_base(id, base_version)) return *error;
  return write_version(id, std::string(text));
}

std::variant<StoredVersion, StoreError> ProfileStore::restore(std::string_view id, int version,
                                                              int base_version) {
  if (auto error = check_base(id, base_version)) return *error;
  auto earlier = text(id, version);
  if (!earlier) {
    return StoreError{"not_found", "profile '" + std::string(id) + "' has no saved version " +
                                       std::to_string(version)};
  }
  return write_version(id, *earlier);
}

std::variant<StoredVersion, StoreError> ProfileStore::remove(std::string_view id,
                                                             int base_version) {
  if (auto error = check_base(id, base_version)) return *error;
  if (!text(id)) return StoreError{"not_found", "no profile '" + std::string(id) + "' to delete"};
  return write_version(id, std::nullopt);
}

std::variant<StoredVersion, StoreError> ProfileStore::write_version(
    std::string_view id, const std::optional<std::string>& text) {
  if (text && history_bytes_ + on_disk(text->size()) > max_history_bytes_) {
    return StoreError{"history_full",
                      "the saved versions in " + (dir_ / "history").string() + " take " +
                          std::to_string(history_bytes_ / (1024 * 1024)) +
                          " MiB, the most the room keeps (" +
                          std::to_string(max_history_bytes_ / (1024 * 1024)) +
                          " MiB): ask the room's technician to archive old versions "
                          "(docs/operations.md); nothing was changed"};
  }
  fs::path dir = history_dir(id);
  std::error_code ec;
  bool created = !fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return storage_failed("create", dir, ec.value());
  if (created) {
    if (auto error = sync_directory(dir.parent_path())) return *error;
  }
  StoredVersion saved;
  saved.version = latest(id) + 1;
  saved.deleted = !text;
  fs::path file = dir / (std::to_string(saved.version) + (text ? ".toml" : ".deleted"));
  // The history's file is the commit: once it is there, the version exists.
  if (auto error = write_atomically(file, text ? *text : std::string(), Durable::yes)) {
    return *error;
  }
  if (text) saved.sha256 = config::sha256_hex(*text);
  history_bytes_ += on_disk(text ? text->size() : 0);
  if (auto error = settle(id, false)) {
    // The version is saved; the copy in force is put right at the next start.
    spdlog::error("profiles: {}", error->message);
  }
  return saved;
}

std::optional<StoreError> ProfileStore::settle(std::string_view id, bool durable) {
  fs::path current = dir_ / (std::string(id) + ".toml");
  auto in_force = text(id);
  std::error_code ec;
  if (!in_force) {
    if (!fs::exists(current, ec)) return std::nullopt;
    if (!fs::remove(current, ec)) return storage_failed("remove", current, ec.value());
    return durable ? sync_directory(dir_) : std::nullopt;
  }
  if (read_file(current) == in_force) return std::nullopt;
  return write_atomically(current, *in_force, durable ? Durable::yes : Durable::no);
}

}  // namespace sensoryd::authoring
