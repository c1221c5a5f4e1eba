// What a loaded configuration was made of, for the clinical record: each file it was read from
// (the room file, its profiles, the device template files it used) with its SHA-256, and one
// SHA-256 over all of them, so that an auditor can tell exactly which configuration ran.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace sensoryd::config {

struct FileDigest {
  std::string path;
  std::string sha256;  // hex; "unreadable" when the file could not be read again
};

struct Fingerprint {
  std::vector<FileDigest> files;  // room file first, then profiles and templates, by path
  std::string sha256;             // over every file's path and content, in that order
  // What a safety validation signs (S22): the room file and the device template files (every
  // limit, bus, device, input and drive map), not the profiles, which are checked against the
  // limits at every load and save and change as therapists work.
  std::string safety_sha256;
};

Fingerprint fingerprint(const Room& room);

// The SHA-256 of `bytes`, and in hex: sensoryd's one way to hash.
using Sha256Digest = std::array<unsigned char, 32>;
Sha256Digest sha256(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

}  // namespace sensoryd::config
