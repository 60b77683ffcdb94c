// Writing a file the user named: plain, or gzip-compressed when the name ends in ".gz". The
// compressed stream carries no name or time, so the same bytes in give the same file out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tallyscope {

class OutputFile {
 public:
  // Opens (truncates) the file; InputError when it cannot be created.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  // Flushes and closes; InputError on a write failure (a full disk). Called by the destructor
  // too, without throwing, if not called before.
  void close();
  bool gzip() const { return gzip_; }
  uint64_t bytes_written() const { return bytes_; }  // before compression

 private:
  struct Impl;
  std::string path_;
  bool gzip_ = false;
  uint64_t bytes_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tallyscope
