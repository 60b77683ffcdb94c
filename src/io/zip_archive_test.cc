#include "io/zip_archive.h"

#include <gtest/gtest.h>

#include "io/error.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

// Expects f to raise an InputError whose message holds every needle.
template <typename F>
void expect_zip_error(F&& f, std::initializer_list<const char*> needles) {
  try {
    f();
    FAIL() << "no error";
  } catch (const InputError& e) {
    for (const char* n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

TEST(ZipArchive, WritesAndReadsEntries) {
  std::string zip = write_zip({{"a.txt", "hello"}, {"dir/b.xml", std::string(100000, 'x')}});
  auto z = ZipArchive::open_memory(zip, "t.zip");
  EXPECT_TRUE(z->contains("a.txt"));
  EXPECT_FALSE(z->contains("c.txt"));
  EXPECT_EQ(z->entries().size(), 2u);
  EXPECT_EQ(z->read_entry("a.txt"), "hello");
  EXPECT_EQ(z->read_entry("dir/b.xml"), std::string(100000, 'x'));
  expect_zip_error([&] { z->read_entry("c.txt"); }, {"t.zip", "no part 'c.txt'"});
  // From a file, the same.
  std::string path = testing::temp_file(zip, ".zip");
  EXPECT_EQ(ZipArchive::open_file(path)->read_entry("a.txt"), "hello");
}

TEST(ZipArchive, CorruptOrTruncatedArchivesAreInputErrors) {
  std::string zip = write_zip({{"a.txt", std::string(200000, 'y') + "end"}});
  expect_zip_error([&] { ZipArchive::open_memory("PK\x03\x04 not a zip at all", "bad.zip"); },
                   {"bad.zip", "cannot read the zip archive"});
  expect_zip_error([&] { ZipArchive::open_memory(zip.substr(0, zip.size() / 2), "half.zip"); },
                   {"half.zip", "cannot read the zip archive"});
  expect_zip_error([&] { ZipArchive::open_memory(zip.substr(0, zip.size() - 5), "cut.zip"); }, {"cut.zip"});
  expect_zip_error([&] { ZipArchive::open_file("/nonexistent/x.xlsx"); }, {"/nonexistent/x.xlsx"});
  // Damaged compressed data (the central directory intact): the CRC or inflate fails.
  std::string damaged = zip;
  for (size_t i = 60; i < 90 && i < damaged.size(); ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  expect_zip_error([&] {
    auto z = ZipArchive::open_memory(damaged, "damaged.zip");
    z->read_entry("a.txt");
  }, {"damaged.zip"});
}

TEST(ZipArchive, BombLikeEntriesAreRefusedNamingTheOption) {
  // 8 MiB of one byte deflates about a thousandfold: above the default ratio of 200.
  std::string zip = write_zip({{"xl/worksheets/sheet1.xml", std::string(8u << 20, ' ')}});
  expect_zip_error([&] { ZipArchive::open_memory(zip, "bomb.xlsx")->read_entry("xl/worksheets/sheet1.xml"); },
                   {"bomb.xlsx", "xl/worksheets/sheet1.xml", "--max-zip-ratio"});
  ZipLimits raised;
  raised.max_ratio = 5000;
  EXPECT_EQ(ZipArchive::open_memory(zip, "bomb.xlsx", raised)->read_entry("xl/worksheets/sheet1.xml").size(), 8u << 20);
  ZipLimits small;
  small.max_entry_bytes = 1 << 20;
  expect_zip_error([&] { ZipArchive::open_memory(zip, "big.xlsx", small)->read_entry("xl/worksheets/sheet1.xml"); },
                   {"big.xlsx", "above the limit of 1048576", "--max-zip-entry-bytes"});
  // A small entry that compresses well is no bomb.
  std::string tiny = write_zip({{"a", std::string(100000, 'z')}});
  EXPECT_EQ(ZipArchive::open_memory(tiny, "tiny.zip")->read_entry("a").size(), 100000u);
}

}  // namespace
}  // namespace tallyscope
