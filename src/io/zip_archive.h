// A zip archive read with libzip (the container of XLSX workbooks): its entries found by name and
// streamed out in chunks, under caps on each entry's uncompressed size and compression ratio so
// that a zip bomb is refused instead of filling memory or disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tallyscope {

struct ZipLimits {
  uint64_t max_entry_bytes = uint64_t{1} << 30;  // uncompressed bytes of one entry (--max-zip-entry-bytes)
  double max_ratio = 200;                        // uncompressed / compressed (--max-zip-ratio)
  // The ratio is checked only past this many uncompressed bytes: small entries (a workbook's
  // few-hundred-byte parts) legitimately compress far better than a bomb could matter.
  uint64_t ratio_floor_bytes = uint64_t{1} << 20;
};

class ZipEntryReader;

class ZipArchive {
 public:
  // Opens a zip file, or a zip held in memory. A file that is not a zip, or a corrupt or
  // truncated one, raises InputError naming `name`.
  static std::unique_ptr<ZipArchive> open_file(const std::string& path, ZipLimits limits = {});
  static std::unique_ptr<ZipArchive> open_memory(std::string data, std::string name, ZipLimits limits = {});
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::string& name() const { return name_; }
  bool contains(const std::string& entry) const;
  std::vector<std::string> entries() const;
  // Streams an entry (InputError when absent). The reader must not outlive the archive.
  std::unique_ptr<ZipEntryReader> open_entry(const std::string& entry) const;
  // The whole entry in memory (for a workbook's small parts), under the same caps.
  std::string read_entry(const std::string& entry) const;

 private:
  struct Handle;
  ZipArchive(std::unique_ptr<Handle> h, std::string name, ZipLimits limits);
  std::unique_ptr<Handle> h_;
  std::string name_;
  ZipLimits limits_;
};

class ZipEntryReader {
 public:
  ~ZipEntryReader();
  // Reads up to n bytes; 0 at the end. InputError for corrupt data (CRC, deflate) or a cap exceeded.
  size_t read(char* out, size_t n);
  const std::string& entry() const { return entry_; }

 private:
  friend class ZipArchive;
  struct File;
  ZipEntryReader(std::unique_ptr<File> f, std::string archive, std::string entry, uint64_t compressed,
                 ZipLimits limits);
  std::unique_ptr<File> f_;
  std::string archive_, entry_;
  uint64_t compressed_ = 0, total_ = 0;
  ZipLimits limits_;
};

// Writes entries (name, content) as a zip in memory, deflated: tests, benchmarks and the fuzz
// target build their workbooks with it.
std::string write_zip(const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace tallyscope
