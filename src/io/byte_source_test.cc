#include "io/byte_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "io/error.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using ::tallyscope::testing::gzip_bytes;
using ::tallyscope::testing::temp_file;

using ::tallyscope::testing::read_all;

// Text that deflate cannot shrink much (so the compressed stream spans several input buffers).
std::string pseudo_random_text(size_t n, uint32_t seed = 12345) {
  std::string s;
  s.reserve(n);
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s.push_back(static_cast<char>(' ' + (x >> 24) % 95));
  }
  return s;
}

// Expects `f` to throw InputError whose what() contains every one of `parts`.
template <typename F>
void expect_input_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    std::string what = e.what();
    for (const std::string& p : parts) EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected an InputError, got: " << e.what();
  }
}

TEST(ByteSourceMemory, ReadsPlainBytesUnchanged) {
  const std::string text = "a,b\n1,2\n";
  auto src = open_memory(text, "plain.csv");
  EXPECT_EQ(src->name(), "plain.csv");
  EXPECT_EQ(read_all(*src), text);
  EXPECT_EQ(src->raw_bytes_read(), text.size());
  char c;
  EXPECT_EQ(src->read(&c, 1), 0u);  // stays at the end
}

TEST(ByteSourceMemory, DefaultName) {
  auto src = open_memory("x");
  EXPECT_EQ(src->name(), "<memory>");
}

TEST(ByteSourceMemory, EmptyAndOneByteInputs) {
  auto empty = open_memory("");
  EXPECT_EQ(read_all(*empty), "");
  auto one = open_memory("\x1f");  // half a gzip magic number: plain data
  EXPECT_EQ(read_all(*one), "\x1f");
  auto two = open_memory("\x1f\x00", "x");  // only the first magic byte matches
  EXPECT_EQ(read_all(*two), std::string("\x1f", 1));
}

TEST(ByteSourceMemory, BinaryBytesIncludingNulArePreserved) {
  std::string data("ab\0\xff\x8b\x1f", 6);
  auto src = open_memory(data);
  EXPECT_EQ(read_all(*src, 1), data);
}

TEST(ByteSourceMemory, ReadsOneByteAtATime) {
  const std::string text = "hello, world\n";
  auto src = open_memory(text);
  EXPECT_EQ(read_all(*src, 1), text);
}

TEST(ByteSourceGzip, DecompressesTransparently) {
  const std::string text = "region,votes\nnorth,12\nsouth,30\n";
  const std::string gz = gzip_bytes(text);
  ASSERT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  auto src = open_memory(gz, "votes.csv.gz");
  EXPECT_EQ(src->name(), "votes.csv.gz");
  EXPECT_EQ(read_all(*src), text);
  EXPECT_EQ(src->raw_bytes_read(), gz.size());  // compressed bytes
}

TEST(ByteSourceGzip, DecompressesOneByteAtATime) {
  const std::string text = pseudo_random_text(5000);
  auto src = open_memory(gzip_bytes(text));
  EXPECT_EQ(read_all(*src, 1), text);
}

TEST(ByteSourceGzip, LargeStreamSpanningManyInputBuffers) {
  const std::string text = pseudo_random_text(3 << 20);
  const std::string gz = gzip_bytes(text);
  ASSERT_GT(gz.size(), 1u << 18);  // more than the 128 KiB input buffer, several times
  auto src = open_memory(gz);
  std::string out = read_all(*src, 100000);
  ASSERT_EQ(out.size(), text.size());
  EXPECT_TRUE(out == text);
  EXPECT_EQ(src->raw_bytes_read(), gz.size());
}

TEST(ByteSourceGzip, EmptyMember) {
  auto src = open_memory(gzip_bytes(""));
  EXPECT_EQ(read_all(*src), "");
}

TEST(ByteSourceGzip, ConcatenatedMembers) {
  const std::string gz = gzip_bytes("first\n") + gzip_bytes("second\n") + gzip_bytes("") + gzip_bytes("third\n");
  auto src = open_memory(gz);
  EXPECT_EQ(read_all(*src), "first\nsecond\nthird\n");
}

TEST(ByteSourceGzip, ConcatenatedMembersReadOneByteAtATime) {
  const std::string a = pseudo_random_text(3000, 1), b = pseudo_random_text(4000, 2);
  auto src = open_memory(gzip_bytes(a) + gzip_bytes(b));
  EXPECT_EQ(read_all(*src, 1), a + b);
}

TEST(ByteSourceGzip, ConcatenatedLargeMembers) {
  const std::string a = pseudo_random_text(700000, 3), b = pseudo_random_text(900000, 4);
  auto src = open_memory(gzip_bytes(a) + gzip_bytes(b));
  std::string out = read_all(*src, 65536);
  ASSERT_EQ(out.size(), a.size() + b.size());
  EXPECT_TRUE(out == a + b);
}

TEST(ByteSourceGzip, TrailingZeroPaddingIsAllowed) {
  const std::string gz = gzip_bytes("abc") + std::string(10, '\0') + gzip_bytes("def") + std::string(512, '\0');
  auto src = open_memory(gz);
  EXPECT_EQ(read_all(*src), "abcdef");
}

TEST(ByteSourceGzip, TruncatedStreamIsAnInputErrorNamingTheFile) {
  const std::string text = pseudo_random_text(20000);
  const std::string gz = gzip_bytes(text);
  expect_input_error(
      [&] {
        auto src = open_memory(gz.substr(0, gz.size() / 2), "cut.csv.gz");
        read_all(*src);
      },
      {"cut.csv.gz: ", "truncated gzip"});
}

TEST(ByteSourceGzip, EveryTruncationIsAnInputError) {
  const std::string gz = gzip_bytes("name,votes\nAna,10\nBeto,20\n");
  // Cut anywhere from just after the magic number to just before the last trailer byte.
  for (size_t len = 2; len < gz.size(); ++len) {
    SCOPED_TRACE(len);
    EXPECT_THROW(
        {
          auto src = open_memory(gz.substr(0, len), "cut.gz");
          read_all(*src);
        },
        InputError);
  }
}

TEST(ByteSourceGzip, TruncatedSecondMemberIsAnInputError) {
  const std::string second = gzip_bytes("second member\n");
  const std::string gz = gzip_bytes("first\n") + second.substr(0, second.size() - 3);
  expect_input_error(
      [&] {
        auto src = open_memory(gz, "two.gz");
        read_all(*src);
      },
      {"two.gz: ", "truncated"});
}

TEST(ByteSourceGzip, CorruptCrcIsAnInputError) {
  std::string gz = gzip_bytes("some tally data\n");
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 0x55);  // first byte of the CRC-32
  expect_input_error(
      [&] {
        auto src = open_memory(gz, "crc.gz");
        read_all(*src);
      },
      {"crc.gz: ", "corrupt gzip"});
}

TEST(ByteSourceGzip, CorruptLengthIsAnInputError) {
  std::string gz = gzip_bytes("some tally data\n");
  gz[gz.size() - 1] = static_cast<char>(gz[gz.size() - 1] ^ 0x01);  // ISIZE
  EXPECT_THROW(
      {
        auto src = open_memory(gz, "len.gz");
        read_all(*src);
      },
      InputError);
}

TEST(ByteSourceGzip, CorruptDeflateDataIsAnInputError) {
  const std::string text = pseudo_random_text(50000);
  std::string gz = gzip_bytes(text);
  // Bad header method byte: not deflate.
  std::string bad_method = gz;
  bad_method[2] = 9;
  expect_input_error(
      [&] {
        auto src = open_memory(bad_method, "method.gz");
        read_all(*src);
      },
      {"method.gz: ", "corrupt gzip"});
  // Damage in the middle of the compressed data: caught by inflate or by the CRC.
  for (size_t at : {size_t{20}, gz.size() / 3, gz.size() / 2, gz.size() - 20}) {
    SCOPED_TRACE(at);
    std::string bad = gz;
    bad[at] = static_cast<char>(bad[at] ^ 0xA5);
    EXPECT_THROW(
        {
          auto src = open_memory(bad, "mid.gz");
          read_all(*src);
        },
        InputError);
  }
}

TEST(ByteSourceGzip, GarbageAfterAMemberIsAnInputError) {
  const std::string gz = gzip_bytes("abc\n") + "this is not gzip";
  EXPECT_THROW(
      {
        auto src = open_memory(gz, "garbage.gz");
        read_all(*src);
      },
      InputError);
}

TEST(ByteSourceLimits, WithinTheLimit) {
  ReadLimits limits;
  limits.max_file_bytes = 10;
  auto src = open_memory("0123456789", "ten.csv", limits);
  EXPECT_EQ(read_all(*src), "0123456789");
}

TEST(ByteSourceLimits, OverTheLimitIsAnInputError) {
  ReadLimits limits;
  limits.max_file_bytes = 9;
  expect_input_error(
      [&] {
        auto src = open_memory("0123456789", "ten.csv", limits);
        read_all(*src);
      },
      {"ten.csv: ", "larger than the limit of 9 bytes"});
}

TEST(ByteSourceLimits, ZeroMeansUnlimited) {
  ReadLimits limits;
  limits.max_file_bytes = 0;
  const std::string text(100000, 'x');
  auto src = open_memory(text, "big", limits);
  EXPECT_EQ(read_all(*src).size(), text.size());
}

TEST(ByteSourceLimits, CountsDecompressedBytes) {
  const std::string text(200000, 'a');  // compresses to a few hundred bytes
  const std::string gz = gzip_bytes(text);
  ASSERT_LT(gz.size(), 1000u);
  ReadLimits limits;
  limits.max_file_bytes = 100000;
  expect_input_error(
      [&] {
        auto src = open_memory(gz, "bomb.gz", limits);
        read_all(*src);
      },
      {"bomb.gz: ", "100000 bytes"});
  limits.max_file_bytes = 200000;
  auto ok = open_memory(gz, "ok.gz", limits);
  EXPECT_EQ(read_all(*ok).size(), text.size());
}

TEST(ByteSourceFile, ReadsAFile) {
  const std::string text = "a;b\n1;2\n";
  const std::string path = temp_file(text);
  auto src = open_input(path);
  EXPECT_EQ(src->name(), path);
  EXPECT_EQ(read_all(*src), text);
  EXPECT_EQ(src->raw_bytes_read(), text.size());
}

TEST(ByteSourceFile, EmptyFile) {
  auto src = open_input(temp_file(""));
  EXPECT_EQ(read_all(*src), "");
}

TEST(ByteSourceFile, GzipIsDetectedByContentNotName) {
  const std::string text = pseudo_random_text(300000) + "\n";
  const std::string gz = gzip_bytes(text);
  const std::string path = temp_file(gz, ".csv");  // no .gz suffix
  auto src = open_input(path);
  EXPECT_EQ(read_all(*src, 7777), text);
  EXPECT_EQ(src->raw_bytes_read(), gz.size());
  // And a plain file called .gz is read as it is.
  auto plain = open_input(temp_file("not compressed\n", ".csv.gz"));
  EXPECT_EQ(read_all(*plain), "not compressed\n");
}

TEST(ByteSourceFile, TruncatedGzipFileNamesTheFile) {
  const std::string gz = gzip_bytes(pseudo_random_text(10000));
  const std::string path = temp_file(gz.substr(0, gz.size() - 100), ".csv.gz");
  expect_input_error(
      [&] {
        auto src = open_input(path);
        read_all(*src);
      },
      {path + ": ", "truncated gzip"});
}

TEST(ByteSourceFile, MissingFileIsAnInputErrorNamingIt) {
  const std::string path = "/nonexistent-dir-tallyscope/none.csv";
  expect_input_error([&] { open_input(path); }, {path + ": ", "cannot open"});
}

TEST(ByteSourceFile, DirectoryIsAnInputError) {
  const std::string dir = std::filesystem::path(temp_file("")).parent_path().string();
  EXPECT_THROW(
      {
        auto src = open_input(dir);
        read_all(*src);
      },
      InputError);
}

TEST(ByteSourceFile, LimitAppliesToFiles) {
  ReadLimits limits;
  limits.max_file_bytes = 3;
  const std::string path = temp_file("abcd");
  expect_input_error(
      [&] {
        auto src = open_input(path, limits);
        read_all(*src);
      },
      {path + ": ", "limit of 3 bytes"});
}

// Runs f with standard input read from the file at path, then restores it.
template <typename F>
void with_stdin_from(const std::string& path, F&& f) {
  std::fflush(stdin);
  int saved = dup(0);
  ASSERT_GE(saved, 0);
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  dup2(fd, 0);
  close(fd);
  clearerr(stdin);
  f();
  dup2(saved, 0);
  close(saved);
  clearerr(stdin);
}

TEST(ByteSourceFile, DashIsStandardInput) {
  const std::string text = "from,stdin\n1,2\n";
  with_stdin_from(temp_file(text), [&] {
    auto src = open_input("-");
    EXPECT_EQ(src->name(), "-");
    EXPECT_EQ(read_all(*src), text);
  });
  // Gzip on standard input is detected too, and destroying the source leaves stdin open.
  with_stdin_from(temp_file(gzip_bytes(text), ".gz"), [&] {
    {
      auto src = open_input("-");
      EXPECT_EQ(read_all(*src, 3), text);
    }
    EXPECT_NE(fcntl(0, F_GETFD), -1);
  });
}

TEST(ByteSourceShared, ReadsRealGzipFile) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  auto src = open_input(path);
  std::string text = read_all(*src, 1 << 16);
  EXPECT_EQ(text.rfind("Codigo PAIS|Nombre PAIS|", 0), 0u);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 29225u);  // header + 29,224 rows
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(src->raw_bytes_read(), std::filesystem::file_size(path));
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Issue 15 item 9: no default cap on decompressed size (582 KB of gzip reached 4.7 GB resident).
// Gzip input may expand 100 times past its first 16 MB, unless --max-gzip-ratio says otherwise.
TEST(GzipBomb, RefusedByDefaultWithTheOptionNamed) {
  std::string rows = "id,A\n";
  while (rows.size() < (24u << 20)) rows += "1,2\n1,2\n1,2\n1,2\n";
  const std::string bomb = testing::gzip_bytes(rows);  // about 1,000 to 1
  ASSERT_LT(bomb.size(), 64u << 10);
  auto src = open_memory(bomb, "bomb.csv.gz");
  std::string buf(1 << 16, '\0');
  uint64_t total = 0;
  try {
    for (size_t got; (got = src->read(buf.data(), buf.size())) > 0;) total += got;
    ADD_FAILURE() << "read " << total << " bytes of a gzip bomb";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "bomb.csv.gz");
    EXPECT_NE(e.message().find("--max-gzip-ratio"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("100 times"), std::string::npos) << e.message();
  }
  EXPECT_LT(total, 21u << 20);  // stopped within a few MB of the threshold
  ReadLimits unlimited;
  unlimited.max_gzip_ratio = 0;
  EXPECT_EQ(read_all(*open_memory(bomb, "bomb.csv.gz", unlimited), 1 << 16), rows);
  // Data that compresses as text does passes whatever its size past the threshold.
  ReadLimits early;
  early.gzip_ratio_from = 1000;
  const std::string text = pseudo_random_text(2u << 20);
  EXPECT_EQ(read_all(*open_memory(testing::gzip_bytes(text), "text.gz", early), 1 << 16), text);
  early.max_gzip_ratio = 5000;  // and a bomb under a raised ratio
  EXPECT_EQ(read_all(*open_memory(bomb, "bomb.csv.gz", early), 1 << 16), rows);
}

}  // namespace
}  // namespace tallyscope
