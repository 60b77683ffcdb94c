// Byte sources: a file, standard input or memory, with gzip decompressed transparently
// (detected by its magic bytes, whatever the file is called).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tallyscope {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into out; returns 0 only at the end of the data. Throws InputError.
  virtual size_t read(char* out, size_t n) = 0;
  // The name used in messages (the path as the user gave it).
  virtual const std::string& name() const = 0;
  // Bytes consumed from the underlying file (compressed bytes for gzip input).
  virtual uint64_t raw_bytes_read() const = 0;
  // Whether the data begins with a zip archive's signature (an XLSX workbook), as sniffed by
  // open_input and open_memory before any byte is read.
  virtual bool is_zip() const { return false; }
};

struct ReadLimits {
  uint64_t max_file_bytes = 0;  // 0 = unlimited; counts decompressed bytes
  // Gzip input may give at most this many bytes per compressed byte read (0 = no limit), checked
  // once it has given gzip_ratio_from bytes. CSV compresses 5 to 20 times (15 at most in
  // ../shared/data), a decompression bomb about 1,000 times: 582 KB of one reached 4.7 GB resident
  // and 3 MB exhausted the machine. Raised with --max-gzip-ratio.
  uint64_t max_gzip_ratio = 100;
  uint64_t gzip_ratio_from = 16u << 20;
};

// Opens a file ("-" is standard input). Gzip input (magic 1f 8b) is decompressed, including
// concatenated members; truncated or corrupt gzip data, or data expanding more than
// limits.max_gzip_ratio times, raises InputError naming the file.
std::unique_ptr<ByteSource> open_input(const std::string& path, ReadLimits limits = {});

// The same over bytes in memory (tests and fuzzing).
std::unique_ptr<ByteSource> open_memory(std::string data, std::string name = "<memory>",
                                        ReadLimits limits = {});

}  // namespace tallyscope
