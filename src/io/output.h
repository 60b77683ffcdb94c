// Writing a file the user named: plain, or gzip-compressed when the name ends in ".gz". The
// compressed stream carries no name or time, so the same bytes in give the same file out.
//
// The bytes go to a temporary file beside the target, which replaces the target (rename) only once
// everything was written, flushed and closed: a failed write (a full disk) leaves the old file as
// it was and no partial one. A target that exists and is not a regular file (/dev/stdout, a pipe)
// is written directly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tallyscope {

class OutputFile {
 public:
  // Creates the temporary file; InputError (with the system's reason) when it cannot.
  explicit OutputFile(const std::string& path);
  // Without a successful close(), the temporary file is removed and the target left untouched.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // InputError with the system's reason when the bytes cannot be written.
  void write(std::string_view bytes);
  // Flushes, closes and renames over the target; InputError with the reason on a failure (the
  // temporary file is then removed).
  void close();
  bool gzip() const { return gzip_; }
  uint64_t bytes_written() const { return bytes_; }  // before compression

 private:
  struct Impl;
  void fail(const std::string& what, int error);
  std::string path_, temp_;
  bool gzip_ = false;
  uint64_t bytes_ = 0;
  std::unique_ptr<Impl> impl_;
};

// Writes a whole file through an OutputFile.
void write_output_file(const std::string& path, std::string_view bytes);

// Refuses (UsageError), before anything is read, an output that is the same file as an input or
// as another output: `report in.csv -o in.csv` must not replace the data with the report. Files
// are compared by identity (std::filesystem::equivalent) when they exist, by canonical path when
// an output does not exist yet. Empty paths are skipped; `what` names each path's option.
struct NamedPath {
  std::string option;  // e.g. "-o", "--json-out", "FILE"
  std::string path;
};
void refuse_overwriting(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace tallyscope
