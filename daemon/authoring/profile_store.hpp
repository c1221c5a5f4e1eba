// Therapists' profiles, and clinical leads' plans for children, on disk (issue #28; one store
// each, <state>/profiles and <state>/children): every saved version is kept as
// <dir>/history/<id>/<version>.toml, and <dir>/<id>.toml is the version in force, ordinary TOML
// in the profile schema for a technician to read, diff and back up. A deletion is a version too
// (<version>.deleted), so a profile's history never loses anything and a deleted one can be
// restored. Each file is written atomically (a temporary file renamed into place); the
// history's file is written first, synced with its directory, and is what counts, so a power
// loss leaves the previous version or the new one, never half of one. <id>.toml is then written
// without syncs (two fewer per save): opening the store puts it right from history, and sensoryd
// opens it before it reads the profiles at start. The store does not read what a profile says: it
// is checked (config::load_profile) before it is saved. One owner; not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sensoryd::authoring {

struct StoreError {
  std::string code;  // bad_id, version_conflict, not_found, storage_failed, history_full
  std::string message;
};

struct StoredVersion {
  int version = 0;
  bool deleted = false;  // the version that deleted the profile
  std::string sha256;    // of the file's bytes; empty for a deletion
};

class ProfileStore {
 public:
  // The most disk the saved versions may take (each file counted as at least a 4 KiB block):
  // an editor saving over and over cannot fill the disk the clinical log is written to. A save
  // or restore beyond it is refused `history_full` (nothing is ever pruned: the technician
  // archives old versions, docs/operations.md); a deletion still goes through.
  static constexpr std::uintmax_t kMaxHistoryBytes = 64ull * 1024 * 1024;

  // bad_id unless config::is_profile_id(id).
  static std::optional<StoreError> check_id(std::string_view id);

  // Creates `dir` when missing, and puts each <id>.toml right from its history.
  // `max_history_bytes`: kMaxHistoryBytes, or less in a test.
  explicit ProfileStore(std::filesystem::path dir,
                        std::uintmax_t max_history_bytes = kMaxHistoryBytes);

  // Where <id>.toml is kept.
  const std::filesystem::path& dir() const { return dir_; }
  // The ids of the profiles in force (not deleted), sorted.
  std::vector<std::string> ids() const;
  // The latest version, a deletion included (0: never saved).
  int latest(std::string_view id) const;
  // The text in force; none when never saved or deleted.
  std::optional<std::string> text(std::string_view id) const;
  // The text of one saved version; none when it is a deletion or was never saved.
  std::optional<std::string> text(std::string_view id, int version) const;
  // Every version, oldest first.
  std::vector<StoredVersion> history(std::string_view id) const;

  // Saves `text` as the next version when `base_version` is the latest (0 for a new profile):
  // refused `version_conflict` when someone saved since. Nothing changes on a refusal or a
  // failed write.
  std::variant<StoredVersion, StoreError> save(std::string_view id, std::string_view text,
                                               int base_version);
  // Saves an earlier version's text again as the next version.
  std::variant<StoredVersion, StoreError> restore(std::string_view id, int version,
                                                  int base_version);
  // Deletes the profile in force (a new version that says so).
  std::variant<StoredVersion, StoreError> remove(std::string_view id, int base_version);

 private:
  std::filesystem::path history_dir(std::string_view id) const;
  std::optional<StoreError> check_base(std::string_view id, int base_version) const;
  std::variant<StoredVersion, StoreError> write_version(std::string_view id,
                                                        const std::optional<std::string>& text);
  // Makes <id>.toml what the latest version says; synced when `durable` (at open), else left
  // to the next open to put right (after a save, whose history file is the commit).
  std::optional<StoreError> settle(std::string_view id, bool durable);

  std::filesystem::path dir_;
  std::uintmax_t max_history_bytes_;
  std::uintmax_t history_bytes_ = 0;  // the saved versions' disk, as kMaxHistoryBytes counts it
};

}  // namespace sensoryd::authoring
