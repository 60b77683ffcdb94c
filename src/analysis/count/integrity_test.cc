#include "analysis/count/integrity.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

const char* kIntegritySpec = R"(
choices = ["A", "B"]
[columns]
id = "id"
geography = ["place"]
registered = "reg"
blank = "bl"
invalid = "nu"
valid = "val"
ballots = "cast"
[extras]
received = "recv"
unused = "left"
[[relations]]
name = "paper"
equation = "received = ballots + unused"
)";

size_t count(const IntegrityReport& r, const std::string& code) {
  return static_cast<size_t>(std::count_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.code == code; }));
}

const Finding* first(const IntegrityReport& r, const std::string& code) {
  for (const auto& f : r.findings)
    if (f.code == code) return &f;
  return nullptr;
}

IntegrityReport check_csv(const std::string& csv, bool lenient = false) {
  LoadOptions o;
  o.spec = parse_spec(kIntegritySpec, "spec");
  o.lenient = lenient;
  IntegrityOptions io;
  io.outliers = false;
  return check_integrity(load_election(testing::temp_file(csv), o), io);
}

const std::string kHeader = "id,place,reg,A,B,bl,nu,val,cast,recv,left\n";

TEST(Integrity, CleanSheetsHaveNoFindings) {
  IntegrityReport r = check_csv(kHeader + "1,P,100,40,30,2,3,70,75,100,25\n2,P,100,10,10,0,0,20,20,50,30\n");
  EXPECT_EQ(r.findings.size(), 0u);
  EXPECT_EQ(r.errors, 0u);
  ASSERT_EQ(r.relations.size(), 1u);
  EXPECT_EQ(r.relations[0].checked, 2u);
  EXPECT_EQ(r.relations[0].violated, 0u);
}

TEST(Integrity, EachArithmeticProblem) {
  IntegrityReport r = check_csv(kHeader +
                                "1,P,50,40,30,2,3,70,75,100,25\n"   // line 2: valid 70 > 50 registered, ballots too
                                "2,P,100,40,30,2,3,71,75,100,25\n"  // line 3: declared valid 71 != 70
                                "3,P,100,40,30,2,3,70,76,100,25\n"  // line 4: declared ballots 76 != 75; relation 100 != 101
                                "4,P,100,0,0,0,0,0,0,0,0\n"         // line 5: zero votes
                                "4,P,0,0,0,0,0,0,0,0,0\n"           // line 6: duplicate id, zero registered
                                "6,P,100,,30,2,3,30,35,100,65\n");  // line 7: missing count
  EXPECT_EQ(count(r, "valid_above_registered"), 1u);
  EXPECT_EQ(count(r, "ballots_above_registered"), 1u);
  EXPECT_EQ(first(r, "valid_above_registered")->line, 2u);
  EXPECT_EQ(count(r, "declared_valid_mismatch"), 1u);
  EXPECT_EQ(first(r, "declared_valid_mismatch")->line, 3u);
  EXPECT_EQ(count(r, "declared_ballots_mismatch"), 1u);
  EXPECT_EQ(count(r, "relation_violated"), 1u);
  EXPECT_EQ(first(r, "relation_violated")->line, 4u);
  EXPECT_EQ(count(r, "duplicate_id"), 1u);
  EXPECT_EQ(first(r, "duplicate_id")->line, 6u);
  EXPECT_NE(first(r, "duplicate_id")->message.find("5, 6"), std::string::npos);
  EXPECT_EQ(count(r, "zero_votes"), 2u);
  EXPECT_EQ(count(r, "zero_registered"), 1u);
  EXPECT_EQ(count(r, "missing_count"), 1u);
  EXPECT_EQ(first(r, "missing_count")->column, "A");
  EXPECT_EQ(r.relations[0].violated, 1u);
  EXPECT_GT(r.errors, 0u);
}

TEST(Integrity, LenientUnreadableCellsAreErrors) {
  IntegrityReport r = check_csv(kHeader + "1,P,100,x,30,2,3,30,35,100,65\n", true);
  ASSERT_EQ(count(r, "unreadable_count"), 1u);
  EXPECT_EQ(first(r, "unreadable_count")->severity, Severity::kError);
  EXPECT_EQ(first(r, "unreadable_count")->line, 2u);
  EXPECT_EQ(count(r, "missing_count"), 0u);  // not reported twice
}

TEST(Integrity, OutlierAmongPeers) {
  // Ten sheets of one place near 50/50 and one where A has everything.
  std::string csv = "id,place,A,B\n";
  for (int i = 0; i < 10; ++i) csv += std::to_string(i) + ",P," + std::to_string(100 + i) + "," + std::to_string(100 - i) + "\n";
  csv += "x,P,200,0\n";
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\n", "s");
  IntegrityReport r = check_integrity(load_election(testing::temp_file(csv), o));
  EXPECT_EQ(count(r, "outlier_share"), 2u);  // both leading choices' shares
  EXPECT_EQ(first(r, "outlier_share")->sheet_id, "x");
  EXPECT_EQ(r.errors, 0u);  // outliers are notes, not errors
}

// Russia 2018: every protocol's control relations hold on this cleaned data (checked with pandas).
TEST(IntegrityShared, Russia2018RelationsAllHold) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  IntegrityReport r = check_integrity(load_election(path));
  ASSERT_EQ(r.relations.size(), 2u);
  for (const auto& rel : r.relations) {
    EXPECT_EQ(rel.checked, 97699u) << rel.name;
    EXPECT_EQ(rel.violated, 0u) << rel.name;
  }
  EXPECT_EQ(count(r, "declared_valid_mismatch"), 0u);
  EXPECT_EQ(count(r, "ballots_above_registered"), 0u);
  EXPECT_EQ(r.errors, 0u);
}

// Bolivia 2019 final count: no sheet over its registered voters; 4 sheets with no votes at all.
TEST(IntegrityShared, Bolivia2019Final) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  IntegrityReport r = check_integrity(load_election(path));
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(count(r, "zero_votes"), 4u);
}

// Bolivia 2016: 18 mesas report more ballots (EMITIDOS) than INSCRITOS (pandas on the same file).
TEST(IntegrityShared, Bolivia2016BallotsAboveRegistered) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  IntegrityReport r = check_integrity(load_election(path));
  EXPECT_EQ(count(r, "ballots_above_registered"), 18u);
  EXPECT_EQ(count(r, "declared_valid_mismatch"), 0u);
  EXPECT_EQ(count(r, "declared_ballots_mismatch"), 0u);
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Duplicate-id findings name at most a few related lines (issue 15 item 8): linear, not quadratic.
TEST(DuplicateIds, FindingsListAFewLinesAndHowManyMore) {
  std::string csv = "id,A,B\n";
  for (int i = 0; i < 2000; ++i) csv += "7,1,2\n";
  const Election e = load_election(testing::temp_file(csv));
  IntegrityReport r = check_integrity(e);
  size_t dup = 0, longest = 0;
  for (const auto& f : r.findings)
    if (f.code == "duplicate_id") {
      ++dup;
      longest = std::max(longest, f.message.size());
    }
  EXPECT_EQ(dup, 1999u);
  EXPECT_LT(longest, 120u);
  EXPECT_NE(r.findings.back().message.find("and 1,995 more"), std::string::npos) << r.findings.back().message;
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Issue 15 item 7: the places that normalisation merged are listed by `check`.
TEST(MergedNames, CheckListsTheSpellingsMerged) {
  const Election e = load_election(testing::temp_file(
      "id,region,place,A,B\n1,North,Escuela Jos\u00e9,3,4\n2,North,Escuela Jose\u0301,5,6\n"
      "3,North,Escuela Jos\u00e9\u00a0,1,1\n4,South,Colegio,2,2\n"));
  EXPECT_EQ(e.geography().node_count(1), 2u);
  IntegrityReport r = check_integrity(e);
  const Finding* f = first(r, "names_merged");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(count(r, "names_merged"), 1u);
  EXPECT_NE(f->message.find("North / Escuela Jos\u00e9"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("'Escuela Jose<U+0301>'"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("'Escuela Jos\u00e9<U+00A0>'"), std::string::npos) << f->message;
  EXPECT_EQ(f->severity, Severity::kWarning);
}

}  // namespace
}  // namespace tallyscope
