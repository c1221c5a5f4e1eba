#include "config/fingerprint.hpp"

// OpenSSL's own SHA-256, without the EVP layer: EVP's first use loads OpenSSL 3's providers and
// configuration, 2.1 MiB more resident in a process that hashes a few files at start
// (docs/performance.md). The functions are deprecated in 3.0, not removed; a newer OpenSSL that
// drops them is a change to make here only.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>

namespace sensoryd::config {

namespace {

class Sha256 {
 public:
  Sha256() { SHA256_Init(&ctx_); }
  void add(std::string_view bytes) { SHA256_Update(&ctx_, bytes.data(), bytes.size()); }
  std::string hex() {
    Sha256Digest digest{};
    SHA256_Final(digest.data(), &ctx_);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char byte : digest) {
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
    return out;
  }

 private:
  SHA256_CTX ctx_{};
};

std::optional<std::string> contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Fingerprint fingerprint(const Room& room) {
  std::vector<std::filesystem::path> paths{room.source};
  std::set<std::filesystem::path> more;
  for (const auto& [id, profile] : room.profiles) {
    if (!profile.source.empty()) more.insert(profile.source);
  }
  std::set<std::filesystem::path> templates;
  for (const auto& device : room.devices) {
    if (device.template_id.empty()) continue;
    auto file = room.templates_dir / (device.template_id + ".toml");
    if (std::filesystem::is_regular_file(file)) templates.insert(file);  // else: in the room file
  }
  more.insert(templates.begin(), templates.end());
  paths.insert(paths.end(), more.begin(), more.end());

  Fingerprint out;
  Sha256 all;
  Sha256 safety;
  for (const auto& path : paths) {
    auto text = contents(path);
    FileDigest digest{path.string(), "unreadable"};
    if (text) digest.sha256 = sha256_hex(*text);
    all.add(digest.path);
    all.add(std::string_view("\0", 1));
    all.add(text.value_or(""));
    all.add(std::string_view("\0", 1));
    if (path == room.source || templates.count(path) != 0) {
      // By the file's full path, however it was given: the report a technician runs by hand
      // (`--config ./room.toml`) must hash as the service that loaded /etc/sensoryd/room.toml.
      std::error_code ec;
      auto full = std::filesystem::weakly_canonical(path, ec);
      safety.add(ec ? digest.path : full.string());
      safety.add(std::string_view("\0", 1));
      safety.add(text.value_or(""));
      safety.add(std::string_view("\0", 1));
    }
    out.files.push_back(std::move(digest));
  }
  out.sha256 = all.hex();
  out.safety_sha256 = safety.hex();
  return out;
}

Sha256Digest sha256(std::string_view bytes) {
  Sha256Digest digest{};
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(digest.data(), &ctx);
  return digest;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 digest;
  digest.add(bytes);
  return digest.hex();
}

}  // namespace sensoryd::config
