#include "io/output.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "io/error.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

namespace fs = std::filesystem;

std::string read_back(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

size_t files_in(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(OutputFile, ReplacesTheTargetOnlyOnClose) {
  const fs::path dir = fs::path(testing::temp_file("", ".d")).concat("-out");
  fs::create_directories(dir);
  const std::string target = (dir / "out.csv").string();
  std::ofstream(target) << "old";
  {
    OutputFile out(target);
    out.write("new bytes");
    EXPECT_EQ(read_back(target), "old");  // still the old file while writing
    out.close();
  }
  EXPECT_EQ(read_back(target), "new bytes");
  EXPECT_EQ(files_in(dir), 1u);  // no temporary file left
  {
    OutputFile out(target);
    out.write("abandoned");  // destroyed without close(): the target stays as it was
  }
  EXPECT_EQ(read_back(target), "new bytes");
  EXPECT_EQ(files_in(dir), 1u);
  fs::remove_all(dir);
}

TEST(OutputFile, FullDeviceGivesTheReason) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    OutputFile out("/dev/full");
    out.write(std::string(1 << 20, 'x'));
    out.close();
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
  }
}

TEST(OutputFile, NoFolderGivesTheReason) {
  try {
    OutputFile out("/nonexistent-folder-tallyscope/x.csv");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
}

TEST(RefuseOverwriting, SameFileByIdentityOrPath) {
  const std::string in = testing::temp_file("id,A\n1,2\n");
  const fs::path link = fs::path(in).concat(".link");
  fs::create_symlink(in, link);
  EXPECT_THROW(refuse_overwriting({{"FILE", in}}, {{"-o", in}}), UsageError);
  EXPECT_THROW(refuse_overwriting({{"FILE", in}}, {{"-o", link.string()}}), UsageError);
  const std::string fresh = (fs::path(in).parent_path() / "not-yet.html").string();
  const std::string same_fresh = (fs::path(in).parent_path() / "." / "not-yet.html").string();
  EXPECT_THROW(refuse_overwriting({{"FILE", in}}, {{"-o", fresh}, {"--json-out", same_fresh}}), UsageError);
  EXPECT_NO_THROW(refuse_overwriting({{"FILE", in}, {"--spec", ""}}, {{"-o", fresh}, {"--json-out", ""}}));
  EXPECT_NO_THROW(refuse_overwriting({{"FILE", in}}, {{"-o", "/dev/stdout"}}));
  fs::remove(link);
}

}  // namespace
}  // namespace tallyscope
