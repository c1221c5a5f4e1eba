// The configuration's fingerprint for the clinical record: every file it was read from, each
// with its SHA-256, and one SHA-256 over all that changes when any of them does.
#include <fstream>

#include <gtest/gtest.h>

#include "config/fingerprint.hpp"
#include "config/loader.hpp"
#include "tests/support/fake_broker.hpp"
#include "tests/support/temp_dir.hpp"

namespace sensoryd {
namespace {

TEST(Fingerprint, NamesTheRoomFileAndEveryProfileWithTheirSha256) {
  test::TempDir dir;
  auto loaded = test::write_in_process_room(dir.path());
  ASSERT_TRUE(loaded.room);
  auto print = config::fingerprint(*loaded.room);
  ASSERT_EQ(print.files.size(), 3u);
  EXPECT_EQ(print.files[0].path, (dir.path() / "room.toml").string());
  EXPECT_NE(print.files[1].path.find("calm.toml"), std::string::npos);
  EXPECT_NE(print.files[2].path.find("later.toml"), std::string::npos);
  EXPECT_EQ(print.sha256.size(), 64u);

  // One byte more in a profile: its digest and the whole one change, the room file's does not.
  std::ofstream(dir.path() / "profiles" / "later.toml", std::ios::app) << "\n";
  auto again = config::fingerprint(*loaded.room);
  EXPECT_EQ(again.files[0].sha256, print.files[0].sha256);
  EXPECT_NE(again.files[2].sha256, print.files[2].sha256);
  EXPECT_NE(again.sha256, print.sha256);
}

// S22: a validation signs the room file and the device templates, not the profiles, which change
// as therapists work and are checked against the limits at every load and save.
TEST(Fingerprint, TheSafetyDigestChangesWithTheRoomFileButNotWithAProfile) {
  test::TempDir dir;
  auto loaded = test::write_in_process_room(dir.path());
  ASSERT_TRUE(loaded.room);
  auto print = config::fingerprint(*loaded.room);
  EXPECT_EQ(print.safety_sha256.size(), 64u);
  EXPECT_NE(print.safety_sha256, print.sha256);

  std::ofstream(dir.path() / "profiles" / "later.toml", std::ios::app) << "\n";
  auto profile_changed = config::fingerprint(*loaded.room);
  EXPECT_NE(profile_changed.sha256, print.sha256);
  EXPECT_EQ(profile_changed.safety_sha256, print.safety_sha256);

  // The same room file named another way (as a technician might, by hand): the same digest.
  config::Room relative = *loaded.room;
  auto here = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  relative.source = "./room.toml";
  auto by_hand = config::fingerprint(relative);
  std::filesystem::current_path(here);
  EXPECT_EQ(by_hand.safety_sha256, print.safety_sha256);

  std::ofstream(dir.path() / "room.toml", std::ios::app) << "\n# a limit changed\n";
  auto room_changed = config::fingerprint(*loaded.room);
  EXPECT_NE(room_changed.safety_sha256, print.safety_sha256);
}

TEST(Fingerprint, AFileThatCannotBeReadAgainIsSaidToBeUnreadable) {
  test::TempDir dir;
  auto loaded = test::write_in_process_room(dir.path());
  ASSERT_TRUE(loaded.room);
  std::filesystem::remove(dir.path() / "profiles" / "later.toml");
  auto print = config::fingerprint(*loaded.room);
  EXPECT_EQ(print.files[2].sha256, "unreadable");
}

TEST(Fingerprint, TheDigestOfAFileIsItsSha256) {
  test::TempDir dir;
  auto loaded = test::write_in_process_room(dir.path());
  ASSERT_TRUE(loaded.room);
  config::Room room = *loaded.room;
  room.profiles.clear();
  std::ofstream(room.source, std::ios::trunc) << "abc";
  auto print = config::fingerprint(room);
  ASSERT_EQ(print.files.size(), 1u);
  // FIPS 180-2's example: SHA-256("abc").
  EXPECT_EQ(print.files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Fingerprint, Sha256GivesFipsExampleDigestsInBytesAndHex) {
  // FIPS 180-2's two-block example, and the empty message.
  EXPECT_EQ(config::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(config::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  config::Sha256Digest abc = config::sha256("abc");
  EXPECT_EQ(abc[0], 0xba);
  EXPECT_EQ(abc[31], 0xad);
}

}  // namespace
}  // namespace sensoryd
