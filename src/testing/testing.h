// Test helpers: where the shared real data lives, temporary files, running the CLI.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "io/byte_source.h"

namespace tallyscope::testing {

// The source tree and the built tallyscope binary. Only testing.cc sees the build's paths, so
// that no other test file's compilation depends on where the tree is (ccache hits across clones).
std::string source_dir();
std::string binary_path();
// The embedded example election and its spec (examples/).
extern const std::string kExample;
extern const std::string kExampleSpec;

// Path of ../shared/data beside the source tree (or $TALLYSCOPE_SHARED_DATA); empty when absent.
std::string shared_data_dir();
// Full path of a shared data file, or "" when the folder is absent.
std::string shared_file(const std::string& relative);

// A new, empty temporary folder (mkdtemp: never one left by an earlier run whose pid was the same).
std::string fresh_dir(const std::string& stem);
// Writes content to a fresh temporary file and returns its path.
std::string temp_file(const std::string& content, const std::string& suffix = ".csv");
std::string gzip_bytes(const std::string& content);
// Reads a source to its end, at most `chunk` bytes a read (checked).
std::string read_all(ByteSource& src, size_t chunk = 4096);

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};
// Runs the built tallyscope binary with the given arguments (a shell-quoted string). With a
// timeout (seconds), coreutils' `timeout` kills a run that takes longer (timed_out is then set).
CliResult run_cli(const std::string& args, int timeout_seconds = 0);
// The same under `ulimit -v <kib>` (the address space the process may map), for resource tests.
CliResult run_cli_limited(const std::string& args, int timeout_seconds, long long address_space_kib);

}  // namespace tallyscope::testing

// Skips the test, with a message, when the shared data folder is absent (a user's fresh clone).
#define TALLYSCOPE_REQUIRE_SHARED(var, relative)                                                         \
  const std::string var = ::tallyscope::testing::shared_file(relative);                                 \
  if (var.empty()) GTEST_SKIP() << "shared data not found (../shared/data beside the checkout, or set " \
                                   "TALLYSCOPE_SHARED_DATA); skipping " << relative
