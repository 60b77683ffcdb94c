#include "testing/testing.h"

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <fstream>
#include <sstream>

namespace tallyscope::testing {

std::string source_dir() { return TALLYSCOPE_SOURCE_DIR; }
std::string binary_path() { return TALLYSCOPE_BINARY; }
const std::string kExample = source_dir() + "/examples/example-election.csv";
const std::string kExampleSpec = source_dir() + "/examples/example-election.toml";

std::string shared_data_dir() {
  if (const char* env = std::getenv("TALLYSCOPE_SHARED_DATA"))
    if (std::filesystem::is_directory(env)) return env;
  std::filesystem::path p = std::filesystem::path(TALLYSCOPE_SOURCE_DIR) / ".." / "shared" / "data";
  if (std::filesystem::is_directory(p)) return p.lexically_normal().string();
  return "";
}

std::string shared_file(const std::string& relative) {
  std::string dir = shared_data_dir();
  if (dir.empty()) return "";
  std::string p = dir + "/" + relative;
  return std::filesystem::exists(p) ? p : "";
}

std::string temp_file(const std::string& content, const std::string& suffix) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() / ("tallyscope-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / ("f" + std::to_string(counter++) + suffix);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

std::string gzip_bytes(const std::string& content) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, content.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  z.avail_in = static_cast<uInt>(content.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string read_all(ByteSource& src, size_t chunk) {
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    size_t got = src.read(buf.data(), buf.size());
    if (got == 0) break;
    EXPECT_LE(got, chunk);
    out.append(buf.data(), got);
  }
  return out;
}

namespace {
CliResult run_cli_prefixed(const std::string& args, int timeout_seconds, const std::string& shell_prefix) {
  std::string out_path = temp_file("", ".out"), err_path = temp_file("", ".err");
  std::string prefix = shell_prefix + (timeout_seconds > 0 ? "timeout -s KILL " + std::to_string(timeout_seconds) + " " : "");
  std::string cmd = prefix + std::string(TALLYSCOPE_BINARY) + " " + args + " >" + out_path + " 2>" + err_path + " </dev/null";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  // timeout exits 124 (TERM) or 137 (KILL) when it had to stop the command.
  r.timed_out = timeout_seconds > 0 && (r.exit_code == 124 || r.exit_code == 137);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}
}  // namespace

std::string fresh_dir(const std::string& stem) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  return tmpl;
}

CliResult run_cli(const std::string& args, int timeout_seconds) { return run_cli_prefixed(args, timeout_seconds, ""); }

CliResult run_cli_limited(const std::string& args, int timeout_seconds, long long address_space_kib) {
  return run_cli_prefixed(args, timeout_seconds, "ulimit -v " + std::to_string(address_space_kib) + " && ");
}

}  // namespace tallyscope::testing
