#include "config/fingerprint.hpp"

#include <openssl/evp.h>

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
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void add(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0x0f];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
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

std::string sha256_hex(std::string_view bytes) {
  Sha256 digest;
  digest.add(bytes);
  return digest.hex();
}

}  // namespace sensoryd::config
