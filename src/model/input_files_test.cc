#include "model/input_files.h"

#include <atomic>
#include <functional>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "analysis/count/integrity.h"
#include "io/error.h"
#include "model/load.h"
#include "model/spec.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

namespace fs = std::filesystem;

// A fresh folder holding the given files (name -> content).
std::string folder_of(const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path dir = testing::fresh_dir("tallyscope-folder");
  for (const auto& [name, content] : files) {
    if (name.ends_with('/')) {
      fs::create_directories(dir / name);
      continue;
    }
    std::ofstream(dir / name, std::ios::binary) << content;
  }
  return dir.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ResolveInputs, AFolderIsItsTablesInNameOrder) {
  const std::string d = folder_of({{"b.csv", "x"}, {"a.tsv", "x"}, {"c.CSV.gz", "x"}, {"README.md", "x"},
                                   {".hidden.csv", "x"}, {"notes.pdf", "x"}, {"sub/", ""}});
  const InputFiles in = resolve_inputs(d);
  EXPECT_TRUE(in.several);
  EXPECT_EQ(in.source, d);
  EXPECT_EQ(in.files, (std::vector<std::string>{d + "/a.tsv", d + "/b.csv", d + "/c.CSV.gz"}));
  EXPECT_EQ(in.skipped, (std::vector<std::string>{"README.md", "notes.pdf", "sub/"}));
}

TEST(ResolveInputs, APlainFileIsOneInput) {
  const std::string f = testing::temp_file("id,A\n1,2\n");
  const InputFiles in = resolve_inputs(f);
  EXPECT_FALSE(in.several);
  EXPECT_EQ(in.files, std::vector<std::string>{f});
  EXPECT_FALSE(resolve_inputs("-").several);
}

TEST(ResolveInputs, AFolderWithoutTablesIsAnError) {
  const std::string d = folder_of({{"README.md", "x"}});
  const std::string msg = error_of([&] { resolve_inputs(d); });
  EXPECT_NE(msg.find(d + ": the folder holds no table"), std::string::npos) << msg;
  EXPECT_NE(msg.find("1 other entries"), std::string::npos) << msg;
}

TEST(ResolveInputs, AListNamesFilesRelativeToItself) {
  const std::string d = folder_of({{"one.csv", "x"}, {"list", "# the count\none.csv\n\n  /abs/two.csv \r\n"}});
  const InputFiles in = resolve_inputs("@" + d + "/list");
  EXPECT_TRUE(in.several);
  EXPECT_EQ(in.files, (std::vector<std::string>{d + "/one.csv", "/abs/two.csv"}));
}

TEST(ResolveInputs, AFileListedTwiceIsAnErrorNamingItsLine) {
  const std::string d = folder_of({{"list", "one.csv\n./one.csv\n"}, {"empty", "# nothing\n"}});
  std::string msg = error_of([&] { resolve_inputs("@" + d + "/list"); });
  EXPECT_NE(msg.find(d + "/list:2: './one.csv' is listed twice (first on line 1)"), std::string::npos) << msg;
  msg = error_of([&] { resolve_inputs("@" + d + "/empty"); });
  EXPECT_NE(msg.find("the list names no file"), std::string::npos) << msg;
  msg = error_of([&] { resolve_inputs("@" + d + "/absent"); });
  EXPECT_NE(msg.find("cannot open the list of files"), std::string::npos) << msg;
}

TEST(HeaderMap, FindsColumnsByNameAndReadsUnusedAbsentOnesAsEmpty) {
  const std::vector<std::string> first{"id", "Región", "A", "note"};
  HeaderMap same(first, first, {0, 2}, "f.csv", 1);
  EXPECT_TRUE(same.identity());
  HeaderMap map(first, {"A", "REGION", "id"}, {0, 1, 2}, "g.csv", 1);  // reordered, accent and case differ
  EXPECT_FALSE(map.identity());
  const std::vector<std::string_view> row{"7", "North", "s1"};
  EXPECT_EQ(map.apply(2, row), (std::vector<std::string_view>{"s1", "North", "7", ""}));
  std::string msg = error_of([&] { map.apply(3, {"7", "North"}); });
  EXPECT_NE(msg.find("g.csv:3:2: this row has 2 fields where the header has 3"), std::string::npos) << msg;
  msg = error_of([&] { HeaderMap(first, {"id", "note"}, {0, 2}, "h.csv", 4); });
  EXPECT_NE(msg.find("h.csv:4 (column 'A'): this file has no column 'A'"), std::string::npos) << msg;
}

const char* kSpec = R"(
choices = ["A", "B"]
[columns]
id = "id"
geography = ["muni"]
registered = "reg"
)";

LoadOptions with_spec() {
  LoadOptions o;
  o.spec = parse_spec(kSpec, "spec.toml");
  return o;
}

TEST(LoadFolder, ReadsEveryFileAsOneCountAndNamesEachSheetsFile) {
  const std::string d = folder_of({{"1.csv", "id,muni,reg,A,B\ns1,North,100,40,30\ns2,North,90,20,50\n"},
                                   {"2.csv", "B,A,reg,muni,id,extra\n5,6,20,South,s3,z\n"},
                                   {"README.txt.md", "not a table"}});
  const Election e = load_election(d, with_spec());
  ASSERT_EQ(e.sheets(), 3u);
  EXPECT_TRUE(e.multi_file());
  EXPECT_EQ(e.source(), d);
  EXPECT_EQ(e.choices()[0].values, (std::vector<int64_t>{40, 20, 6}));
  EXPECT_EQ(e.choices()[1].values, (std::vector<int64_t>{30, 50, 5}));
  EXPECT_EQ(e.file_of(2), d + "/2.csv");
  EXPECT_EQ(e.line(2), 2u);
  EXPECT_EQ(e.line_text(1), "line 3 of " + d + "/1.csv");
  EXPECT_EQ(e.geography().node_name(0, e.geography().node_of(0, 2)), "South");
  std::string notes;
  for (const auto& n : e.spec().notes) notes += n + "\n";
  EXPECT_NE(notes.find("read 2 files of " + d + " as one count"), std::string::npos) << notes;
  EXPECT_NE(notes.find("skipped 1 entries that are not tables (README.txt.md)"), std::string::npos) << notes;
}

TEST(LoadFolder, AnErrorNamesTheFileItIsIn) {
  const std::string d = folder_of({{"1.csv", "id,muni,reg,A,B\ns1,North,100,40,30\n"},
                                   {"2.csv", "id,muni,reg,A,B\ns2,South,100,4x,30\n"}});
  std::string msg = error_of([&] { load_election(d, with_spec()); });
  EXPECT_NE(msg.find(d + "/2.csv:2:4 (column 'A'): the count '4x'"), std::string::npos) << msg;
  const std::string m = folder_of({{"1.csv", "id,muni,reg,A,B\ns1,North,100,40,30\n"},
                                   {"2.csv", "id,muni,A,B\ns2,South,4,30\n"}});
  msg = error_of([&] { load_election(m, with_spec()); });
  EXPECT_NE(msg.find(m + "/2.csv:1 (column 'reg'): this file has no column 'reg'"), std::string::npos) << msg;
}

TEST(LoadFolder, FindingsAndDuplicateIdsNameTheirFile) {
  const std::string d = folder_of({{"1.csv", "id,muni,reg,A,B\ns1,North,100,40,30\n"},
                                   {"2.csv", "id,muni,reg,A,B\ns1,North,10,40,30\n"}});
  const Election e = load_election(d, with_spec());
  std::string msg = error_of([&] { e.require_unique_ids("test"); });
  EXPECT_NE(msg.find(d + "/2.csv:2: sheet id 's1' repeats (first on line 2 of " + d + "/1.csv"), std::string::npos)
      << msg;
  const IntegrityReport r = check_integrity(e, {});
  bool above = false, duplicate = false;
  for (const Finding& f : r.findings) {
    if (f.code == "ballots_above_registered") above = f.file == d + "/2.csv" && f.line == 2;
    if (f.code == "duplicate_id") duplicate = f.file == d + "/2.csv";
  }
  EXPECT_TRUE(above && duplicate) << to_text(r, e, 20);
  EXPECT_NE(to_text(r, e, 20).find("2.csv:2"), std::string::npos) << to_text(r, e, 20);
}

TEST(LoadFolder, ALongLayoutGathersSheetsAcrossFiles) {
  const char* spec = R"(
[columns]
id = "mesa"
[long]
choice = "party"
votes = "votes"
)";
  LoadOptions o;
  o.spec = parse_spec(spec, "long.toml");
  const std::string d = folder_of({{"m1.csv", "mesa,party,votes\n1,X,10\n1,Y,5\n"},
                                   {"m2.csv", "votes,party,mesa\n7,Y,2\n3,X,2\n"},
                                   {"m3.csv", "mesa,party,votes\n2,Y,1\n"}});
  std::string msg = error_of([&] { load_election(d, o); });
  EXPECT_NE(msg.find(d + "/m3.csv:2:2 (column 'party'): a second row for 'Y' on the sheet '2' (the first is at line 2 "
                         "of " + d + "/m2.csv)"),
            std::string::npos)
      << msg;
  std::filesystem::remove(d + "/m3.csv");
  const Election e = load_election(d, o);
  ASSERT_EQ(e.sheets(), 2u);
  EXPECT_EQ(e.choices()[0].name, "X");
  EXPECT_EQ(e.choices()[0].values, (std::vector<int64_t>{10, 3}));
  EXPECT_EQ(e.choices()[1].values, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(e.file_of(1), d + "/m2.csv");
}

// A choice one file names and another never does is 0 on the other's sheets (each county lists
// its own write-in lines); a choice a file names on some of its sheets only stays missing.
TEST(LoadFolder, AChoiceAFileNeverNamesIsZeroThereAndMissingWithinAFile) {
  LoadOptions o;
  o.spec = parse_spec("[columns]\nid = \"mesa\"\n[long]\nchoice = \"party\"\nvotes = \"votes\"\n", "long.toml");
  const std::string d = folder_of({{"a.csv", "mesa,party,votes\n1,X,10\n1,Z,2\n2,X,4\n"},
                                   {"b.csv", "mesa,party,votes\n3,X,7\n"}});
  const Election e = load_election(d, o);
  ASSERT_EQ(e.sheets(), 3u);
  ASSERT_EQ(e.choices()[1].name, "Z");
  EXPECT_EQ(e.choices()[1].values, (std::vector<int64_t>{2, kMissing, 0}));
  std::string notes;
  for (const auto& n : e.spec().notes) notes += n + "\n";
  EXPECT_NE(notes.find("1 counts are 0 because their file names no row for that choice"), std::string::npos) << notes;
}

// The Honduran CNE's presidential results for 873 mesas of Cortés, one file per mesa. The totals
// are pinned to an independent sum of the same files (pandas: concat of every file, grouped by
// descripcion_candidatura, summing cant_votos; 873 distinct id_ubicacion).
TEST(LoadFolderShared, Honduras2021PresidenteFolder) {
  TALLYSCOPE_REQUIRE_SHARED(dir, "honduras-2021/presidente");
  const Election e = load_election(dir);
  EXPECT_EQ(e.spec().layout, "honduras-cne-2021");
  ASSERT_EQ(e.sheets(), 873u);
  ASSERT_EQ(e.files().size(), 873u);
  auto total = [&](const char* name) {
    const int c = e.find_choice(name);
    EXPECT_GE(c, 0) << name;
    int64_t t = 0;
    if (c >= 0)
      for (int64_t v : e.choices()[static_cast<size_t>(c)].values) t += v == kMissing ? 0 : v;
    return t;
  };
  EXPECT_EQ(total("PARTIDO LIBERTAD Y REFUNDACION"), 91856);
  EXPECT_EQ(total("PARTIDO NACIONAL DE HONDURAS"), 33373);
  EXPECT_EQ(total("PARTIDO LIBERAL DE HONDURAS"), 15238);
  int64_t blank = 0, invalid = 0;
  for (size_t s = 0; s < e.sheets(); ++s) blank += e.blank()->or_zero(s), invalid += e.invalid()->or_zero(s);
  EXPECT_EQ(blank, 1170);
  EXPECT_EQ(invalid, 5883);
  EXPECT_TRUE(e.duplicate_ids().empty());
}

// OpenElections' Pennsylvania 2020 precinct files, 41 counties whose headers differ (extra vote-mode
// columns, party and candidate swapped, a precinct_name column): read as one count from the folder.
// Pinned to an independent sum (pandas: concat of every file, office == "President", candidate
// compared case-insensitively, votes with thousands separators removed; 6,642 county/precinct
// pairs; 3,548 "Registered Voters" rows summing to 2,308,563).
TEST(LoadFolderShared, Pennsylvania2020FortyOneCounties) {
  TALLYSCOPE_REQUIRE_SHARED(dir, "usa-2020-pennsylvania");
  const Election e = load_election(dir);
  EXPECT_EQ(e.spec().layout, "openelections-precinct");
  EXPECT_EQ(e.files().size(), 41u);
  ASSERT_EQ(e.sheets(), 6642u);
  auto total = [&](const CountColumn& c) {
    int64_t t = 0;
    for (int64_t v : c.values) t += v == kMissing ? 0 : v;
    return t;
  };
  ASSERT_GE(e.find_choice("Donald J. Trump"), 0);
  ASSERT_GE(e.find_choice("Joseph R. Biden"), 0);
  EXPECT_EQ(total(e.choices()[static_cast<size_t>(e.find_choice("Donald J. Trump"))]), 2240891);
  EXPECT_EQ(total(e.choices()[static_cast<size_t>(e.find_choice("Joseph R. Biden"))]), 2053572);
  ASSERT_NE(e.registered(), nullptr);
  EXPECT_EQ(total(*e.registered()), 2308563);
  EXPECT_EQ(e.registered()->values.size() - e.registered()->missing, 3548u);
}

}  // namespace
}  // namespace tallyscope
