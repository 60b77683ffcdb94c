#include "analysis/count/compare.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

LoadOptions spec() {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\nregistered = \"reg\"\n", "s");
  return o;
}

TEST(Compare, OnlyInEachDifferingAndNetEffect) {
  Election a = load_election(testing::temp_file("id,place,reg,A,B\n1,P,100,50,30\n2,P,100,40,40\n3,P,100,10,10\n"), spec());
  Election b = load_election(testing::temp_file("id,place,reg,A,B\n2,P,100,45,35\n1,Q,100,50,30\n4,P,100,1,1\n"), spec());
  Comparison c = compare(a, b);
  EXPECT_EQ(c.common, 2u);
  EXPECT_EQ(c.only_in_a, (std::vector<std::string>{"3"}));
  EXPECT_EQ(c.only_in_b, (std::vector<std::string>{"4"}));
  ASSERT_EQ(c.differing.size(), 1u);
  EXPECT_EQ(c.differing[0].id, "2");
  EXPECT_EQ(c.differing[0].line_a, 3u);
  EXPECT_EQ(c.differing[0].line_b, 2u);
  ASSERT_EQ(c.differing[0].cells.size(), 2u);
  EXPECT_EQ(c.differing[0].cells[0].name, "A");
  EXPECT_EQ(c.differing[0].cells[0].a, 40);
  EXPECT_EQ(c.differing[0].cells[0].b, 45);
  EXPECT_EQ(c.renamed_places, 1u);  // sheet 1 moved from P to Q
  // Net effect on the differing sheet: A +5, B -5. Margin (A over B) on the 2 common sheets:
  // A: (50-30 + 40-40)/160 = 12.5 points; B: (50-30 + 45-35)/160 = 18.75 points.
  EXPECT_EQ(c.net[1].name, "A");
  EXPECT_EQ(c.net[1].delta, 5);
  EXPECT_EQ(c.net[2].delta, -5);
  EXPECT_DOUBLE_EQ(c.margin_common_a, 12.5);
  EXPECT_DOUBLE_EQ(c.margin_common_b, 18.75);
}

// A count read from a folder: each differing sheet names the file of its line, in JSON and text.
TEST(Compare, DifferingSheetsOfAFolderNameTheirFiles) {
  namespace fs = std::filesystem;
  const fs::path dir = testing::fresh_dir("tallyscope-compare-folder");
  std::ofstream(dir / "a.csv") << "id,place,reg,A,B\n1,P,100,50,30\n";
  std::ofstream(dir / "b.csv") << "id,place,reg,A,B\n2,P,100,40,40\n";
  Election a = load_election(dir.string(), spec());
  Election b = load_election(testing::temp_file("id,place,reg,A,B\n2,P,100,45,35\n1,P,100,50,30\n"), spec());
  Comparison c = compare(a, b);
  ASSERT_EQ(c.differing.size(), 1u);
  EXPECT_EQ(fs::path(c.differing[0].file_a).filename(), "b.csv");
  EXPECT_EQ(c.differing[0].line_a, 2u);
  EXPECT_TRUE(c.differing[0].file_b.empty());
  EXPECT_EQ(fs::path(to_json(c, 10)["differing"]["sheets"][0]["file_a"].get<std::string>()).filename(), "b.csv");
  EXPECT_NE(to_text(c, 10).find("(lines b.csv:2/2)"), std::string::npos) << to_text(c, 10);
  fs::remove_all(dir);
}

TEST(Compare, DuplicateIdsRefused) {
  Election a = load_election(testing::temp_file("id,place,reg,A,B\n1,P,100,50,30\n1,P,100,40,40\n"), spec());
  Election b = load_election(testing::temp_file("id,place,reg,A,B\n1,P,100,50,30\n"), spec());
  EXPECT_THROW(compare(a, b), InputError);
  EXPECT_THROW(compare(b, a), InputError);
}

// ../shared/data/README.md: every acta of both TREP files is in the final count; 706 actas of the
// second TREP file differ from the final count in at least one column.
TEST(CompareShared, SecondTrepAgainstFinalCount) {
  TALLYSCOPE_REQUIRE_SHARED(trep, "bolivia-2019/trep-2019-10-21T18-29-53.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  Comparison c = compare(load_election(trep), load_election(final_count));
  EXPECT_EQ(c.common, 32806u);
  EXPECT_EQ(c.only_in_a.size(), 0u);
  EXPECT_EQ(c.only_in_b.size(), 34555u - 32806u);
  EXPECT_EQ(c.differing.size(), 706u);
  // Net effect of the corrections, cross-checked with pandas on the same files.
  std::map<std::string, int64_t> net;
  for (const auto& n : c.net) net[n.name] = n.delta;
  EXPECT_EQ(net["MAS - IPSP"], 3796);
  EXPECT_EQ(net["CC"], 2301);
  EXPECT_EQ(net["blank"], -1446);
  EXPECT_NEAR(c.total_a.margin.points, 10.15, 0.005);
  EXPECT_NEAR(c.total_b.margin.points, 10.56, 0.005);
}

TEST(CompareShared, FirstTrepIsInsideFinalCount) {
  TALLYSCOPE_REQUIRE_SHARED(trep, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  Comparison c = compare(load_election(trep), load_election(final_count));
  EXPECT_EQ(c.common, 28975u);
  EXPECT_EQ(c.only_in_a.size(), 0u);
}

}  // namespace
// Venezuela 2024, the opposition's two releases, each read without a spec and with its own
// encoding (V1 UTF-8, V2 Windows-1252): joined on CENTRO/MESA, 24,530 actas in both, 2 only in V1,
// 543 only in V2 (Python's csv module on the same files); no place is renamed (it reported 1,182
// false renamings when V2 was read with V1's encoding).
TEST(CompareShared, Venezuela2024ReleasesEachWithItsEncoding) {
  TALLYSCOPE_REQUIRE_SHARED(v1, "venezuela-2024/RESULTADOS_2024_CSV_V1.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(v2, "venezuela-2024/RESULTADOS_2024_CSV_V2.csv.gz");
  Comparison c = compare(load_election(v1), load_election(v2));
  EXPECT_EQ(c.common, 24530u);
  EXPECT_EQ(c.only_in_a.size(), 2u);
  EXPECT_EQ(c.only_in_b.size(), 543u);
  EXPECT_EQ(c.renamed_places, 0u);
}

}  // namespace tallyscope
