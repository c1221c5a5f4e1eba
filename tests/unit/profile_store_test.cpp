// ProfileStore in a temporary directory: versions, conflicts, history, restore and delete, ids
// refused before anything is written, a failed write that changes nothing, and a store opened
// after a crash between its two writes put right from its history.
#include "daemon/authoring/profile_store.hpp"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "config/fingerprint.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd::authoring {
namespace {

namespace fs = std::filesystem;

constexpr const char* kV1 = "title = \"Calm down, slower\"\n";
constexpr const char* kV2 = "title = \"Calm down, slower and dimmer\"\n";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

StoredVersion saved(const std::variant<StoredVersion, StoreError>& result) {
  if (const auto* error = std::get_if<StoreError>(&result)) {
    ADD_FAILURE() << error->code << ": " << error->message;
    return {};
  }
  return std::get<StoredVersion>(result);
}

StoreError refused(const std::variant<StoredVersion, StoreError>& result) {
  if (std::holds_alternative<StoredVersion>(result)) {
    ADD_FAILURE() << "saved as version " << std::get<StoredVersion>(result).version;
    return {};
  }
  return std::get<StoreError>(result);
}

class ProfileStoreTest : public ::testing::Test {
 protected:
  fs::path dir() const { return temp.path() / "profiles"; }
  test::TempDir temp;
};

TEST_F(ProfileStoreTest, ASaveIsTheNextVersionKeptInHistoryAndInForceAsPlainToml) {
  ProfileStore store(dir());
  auto v1 = saved(store.save("calm-slow", kV1, 0));
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.sha256, config::sha256_hex(kV1));
  EXPECT_EQ(read(dir() / "calm-slow.toml"), kV1);
  EXPECT_EQ(read(dir() / "history" / "calm-slow" / "1.toml"), kV1);
  auto v2 = saved(store.save("calm-slow", kV2, 1));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(store.text("calm-slow"), kV2);
  EXPECT_EQ(store.text("calm-slow", 1), kV1);
  EXPECT_EQ(store.ids(), (std::vector<std::string>{"calm-slow"}));
  // Nothing but the files themselves: no temporary left behind.
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir()))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 3);
}

TEST_F(ProfileStoreTest, ASaveFromAnOlderVersionIsAConflictAndChangesNothing) {
  ProfileStore store(dir());
  saved(store.save("calm-slow", kV1, 0));
  saved(store.save("calm-slow", kV2, 1));
  auto error = refused(store.save("calm-slow", "title = \"mine\"\n", 1));  // the other editor
  EXPECT_EQ(error.code, "version_conflict");
  EXPECT_NE(error.message.find("at version 2, not 1"), std::string::npos) << error.message;
  EXPECT_EQ(refused(store.save("calm-slow", kV1, 0)).code, "version_conflict");  // "new" again
  EXPECT_EQ(store.latest("calm-slow"), 2);
  EXPECT_EQ(read(dir() / "calm-slow.toml"), kV2);
}

TEST_F(ProfileStoreTest, HistoryRestoreAndDeleteAreVersionsToo) {
  ProfileStore store(dir());
  saved(store.save("calm-slow", kV1, 0));
  saved(store.save("calm-slow", kV2, 1));
  auto restored = saved(store.restore("calm-slow", 1, 2));
  EXPECT_EQ(restored.version, 3);
  EXPECT_EQ(store.text("calm-slow"), kV1);
  auto deleted = saved(store.remove("calm-slow", 3));
  EXPECT_EQ(deleted.version, 4);
  EXPECT_TRUE(deleted.deleted);
  EXPECT_FALSE(store.text("calm-slow"));
  EXPECT_FALSE(fs::exists(dir() / "calm-slow.toml"));
  EXPECT_TRUE(store.ids().empty());
  EXPECT_EQ(refused(store.remove("calm-slow", 4)).code, "not_found");
  EXPECT_EQ(refused(store.restore("calm-slow", 4, 4)).code, "not_found");  // a deletion
  auto history = store.history("calm-slow");
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[1].sha256, config::sha256_hex(kV2));
  EXPECT_TRUE(history[3].deleted);
  // A deleted profile comes back as it was.
  EXPECT_EQ(saved(store.restore("calm-slow", 2, 4)).version, 5);
  EXPECT_EQ(read(dir() / "calm-slow.toml"), kV2);
}

TEST_F(ProfileStoreTest, IdsThatCouldLeaveTheFolderOrAreNotPlainAreRefusedBeforeAnythingIsWritten) {
  ProfileStore store(dir());
  const std::vector<std::string> bad{"",
                                     "..",
                                     ".",
                                     "a/b",
                                     "../etc",
                                     "Calm",
                                     "-calm",
                                     "_calm",
                                     "calm down",
                                     "caf\xc3\xa9",
                                     std::string(65, 'a')};
  for (const auto& id : bad) {
    EXPECT_EQ(refused(store.save(id, kV1, 0)).code, "bad_id") << id;
  }
  EXPECT_FALSE(ProfileStore::check_id(std::string(64, 'a')));
  EXPECT_FALSE(ProfileStore::check_id("c-022_calm2"));
  EXPECT_TRUE(fs::is_empty(dir() / "history"));
}

TEST_F(ProfileStoreTest, SavesBeyondTheHistorysBoundAreRefusedAndNothingIsPruned) {
  constexpr std::uintmax_t kThreeBlocks = 3 * 4096;
  {
    ProfileStore store(dir(), kThreeBlocks);
    EXPECT_EQ(saved(store.save("calm", kV1, 0)).version, 1);
    EXPECT_EQ(saved(store.save("calm", kV2, 1)).version, 2);
    EXPECT_EQ(saved(store.save("alert", kV1, 0)).version, 1);
    StoreError full = refused(store.save("calm", kV1, 2));
    EXPECT_EQ(full.code, "history_full");
    EXPECT_NE(full.message.find("archive"), std::string::npos) << full.message;
    EXPECT_EQ(refused(store.restore("calm", 1, 2)).code, "history_full");
    EXPECT_EQ(store.latest("calm"), 2);
    EXPECT_EQ(read(dir() / "calm.toml"), kV2);
    // Taking a profile out of use still goes through.
    EXPECT_TRUE(saved(store.remove("alert", 1)).deleted);
  }
  // Opened again (a restart), it counts what is on disk: still full, every version kept.
  ProfileStore again(dir(), kThreeBlocks);
  EXPECT_EQ(refused(again.save("new", kV1, 0)).code, "history_full");
  EXPECT_EQ(again.history("calm").size(), 2u);
  EXPECT_EQ(again.history("alert").size(), 2u);
  // A larger bound takes them again.
  ProfileStore larger(dir(), 8 * 4096);
  EXPECT_EQ(saved(larger.save("calm", kV1, 2)).version, 3);
}

TEST_F(ProfileStoreTest, AWriteThatFailsLeavesTheVersionInForceAndNoTemporaryFile) {
  ProfileStore store(dir());
  saved(store.save("calm-slow", kV1, 0));
  // Version 2's place is taken by a directory: the rename onto it fails.
  fs::create_directories(dir() / "history" / "calm-slow" / "2.toml");
  auto error = refused(store.save("calm-slow", kV2, 1));
  EXPECT_EQ(error.code, "storage_failed");
  EXPECT_NE(error.message.find("nothing was changed"), std::string::npos) << error.message;
  EXPECT_EQ(store.latest("calm-slow"), 1);
  EXPECT_EQ(read(dir() / "calm-slow.toml"), kV1);
  EXPECT_FALSE(fs::exists(dir() / "history" / "calm-slow" / ".2.toml.tmp"));
}

TEST_F(ProfileStoreTest, OpeningAfterACrashBetweenTheTwoWritesPutsTheFileInForceRight) {
  {
    ProfileStore store(dir());
    saved(store.save("calm-slow", kV1, 0));
    saved(store.save("other", kV1, 0));
  }
  // As if power was lost after each history file was written and before the copy in force.
  std::ofstream(dir() / "history" / "calm-slow" / "2.toml") << kV2;
  std::ofstream(dir() / "history" / "other" / "2.deleted");
  std::ofstream(dir() / "history" / "calm-slow" / ".3.toml.tmp") << "half a fi";
  ProfileStore reopened(dir());
  EXPECT_EQ(read(dir() / "calm-slow.toml"), kV2);
  EXPECT_FALSE(fs::exists(dir() / "other.toml"));
  EXPECT_EQ(reopened.latest("calm-slow"), 2);  // the half-written temporary is no version
  EXPECT_EQ(reopened.ids(), (std::vector<std::string>{"calm-slow"}));
}

}  // namespace
}  // namespace sensoryd::authoring
