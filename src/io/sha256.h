// SHA-256 of files and strings (OpenSSL's libcrypto), for the provenance of reports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tallyscope {

// Lowercase hex digest of the bytes.
std::string sha256_hex(std::string_view bytes);

struct FileDigest {
  std::string sha256;  // lowercase hex
  uint64_t bytes = 0;
};
// Digest of a file's bytes as stored (compressed files are hashed compressed). Throws InputError
// when the file cannot be opened or read.
FileDigest sha256_file(const std::string& path);

}  // namespace tallyscope
