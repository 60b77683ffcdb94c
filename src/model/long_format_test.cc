#include "model/long_format.h"

#include <numeric>

#include <gtest/gtest.h>

#include "analysis/count/integrity.h"
#include "io/error.h"
#include "model/load.h"
#include "model/spec.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::temp_file;

// OpenElections' layout, as Pennsylvania's counties write it (a shortened Adams County).
const char* kPrecincts =
    "county,precinct,office,district,party,candidate,votes\n"
    "Adams,Abbottstown,Registered Voters,,,,635\n"
    "Adams,Abbottstown,Ballots Cast,,,,487\n"
    "Adams,Abbottstown,President,,DEM,Joseph R. Biden,137\n"
    "Adams,Abbottstown,President,,REP,Donald J. Trump,345\n"
    "Adams,Abbottstown,President,,LIB,Jo Jorgensen,5\n"
    "Adams,Abbottstown,Attorney General,,DEM,Josh Shapiro,136\n"
    "Adams,Arendtsville,President,,DEM,Joseph R. Biden,\"1,001\"\n"
    "Adams,Arendtsville,President,,REP,Donald J. Trump,402\n"
    "Adams,Arendtsville,President,,LIB,JO JORGENSEN,9\n"
    "Adams,Arendtsville,President,,,Over Votes,2\n"
    "Adams,Arendtsville,President,,,Rejected write-ins,1\n"
    "Adams,Arendtsville,Ballots Cast,,,,1420\n";

int64_t total(const CountColumn& c) {
  int64_t t = 0;
  for (int64_t v : c.values) t += v == kMissing ? 0 : v;
  return t;
}

TEST(LongFormat, OpenElectionsPrecinctsReadAsOneSheetPerPrecinct) {
  const Election e = load_election(temp_file(kPrecincts));
  EXPECT_EQ(e.spec().layout, "openelections-precinct");
  ASSERT_EQ(e.sheets(), 2u);
  EXPECT_EQ(e.id(0), "Adams/Abbottstown");
  EXPECT_EQ(e.line(1), 8u);  // a sheet is named by its first row of the race
  ASSERT_EQ(e.choices().size(), 3u);  // JO JORGENSEN is Jo Jorgensen; the attorney general is another race
  EXPECT_EQ(e.choices()[0].name, "Joseph R. Biden");
  EXPECT_EQ(e.choices()[0].values, (std::vector<int64_t>{137, 1001}));
  EXPECT_EQ(e.choices()[2].values, (std::vector<int64_t>{5, 9}));
  ASSERT_NE(e.registered(), nullptr);
  EXPECT_EQ(e.registered()->values, (std::vector<int64_t>{635, kMissing}));  // absent: missing, not 0
  ASSERT_NE(e.declared_ballots(), nullptr);
  EXPECT_EQ(e.declared_ballots()->values, (std::vector<int64_t>{487, 1420}));
  ASSERT_NE(e.invalid(), nullptr);
  EXPECT_EQ(e.invalid()->values, (std::vector<int64_t>{kMissing, 3}));  // over votes + rejected write-ins
  EXPECT_EQ(e.geography().levels(), 1u);
  std::string notes;
  for (const auto& n : e.spec().notes) notes += n + "\n";
  EXPECT_NE(notes.find("the race 'President'"), std::string::npos) << notes;
  EXPECT_NE(notes.find("1 rows spell a choice differently"), std::string::npos) << notes;
  EXPECT_NE(notes.find("1 counts were written with thousands separators"), std::string::npos) << notes;
}

TEST(LongFormat, AnotherRaceByContest) {
  LoadOptions o;
  o.contest = "Attorney General";
  const Election e = load_election(temp_file(kPrecincts), o);
  ASSERT_EQ(e.sheets(), 1u);
  ASSERT_EQ(e.choices().size(), 1u);
  EXPECT_EQ(total(e.choices()[0]), 136);
}

void expect_error(const std::string& csv, const std::string& where, const std::string& needle,
                  const LoadOptions& options = {}) {
  const std::string path = temp_file(csv);
  try {
    load_election(path, options);
    ADD_FAILURE() << "no error for " << needle;
  } catch (const InputError& err) {
    EXPECT_NE(std::string(err.what()).find(path + where), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find(needle), std::string::npos) << err.what();
  }
}

TEST(LongFormat, BadRowsNameTheirLineAndColumn) {
  const std::string head = "county,precinct,office,district,party,candidate,votes\n";
  expect_error(head + "A,P1,President,,,X,10\nA,P1,President,,,X,12\n", ":3:6", "a second row for 'X'");
  expect_error(head + "A,P1,President,,,X,10\nA,P1,President,,,Y,-4\n", ":3:7", "negative");
  expect_error(head + "A,P1,President,,,X,10\nA,P1,President,,,Y,1,0\n", ":3:8", "this row has 8 fields");
  expect_error(head + "A,P1,Governor,,,X,10\n", "", "no row of the race 'President'");
}

TEST(LongFormat, SheetLevelColumnMustAgreeWithinASheet) {
  const std::string spec = R"(
[columns]
id = "mesa"
geography = ["dept"]
ballots = "voters"
[long]
choice = "party"
votes = "votes"
)";
  LoadOptions o;
  o.spec = parse_spec(spec, "spec.toml");
  const std::string ok = "mesa,dept,voters,party,votes\n1,N,30,A,10\n1,N,30,B,20\n2,S,5,A,5\n";
  const Election e = load_election(temp_file(ok), o);
  ASSERT_EQ(e.sheets(), 2u);
  EXPECT_EQ(e.declared_ballots()->values, (std::vector<int64_t>{30, 5}));
  EXPECT_EQ(e.choices()[1].values, (std::vector<int64_t>{20, kMissing}));
  expect_error("mesa,dept,voters,party,votes\n1,N,30,A,10\n1,N,31,B,20\n", ":3:3",
               "on this sheet's first row (line 2)", o);
}

TEST(LongFormat, SpecRoundTrips) {
  const std::string spec = R"(
[columns]
id = ["county", "precinct"]
contest = "office"
[long]
choice = "candidate"
votes = "votes"
[long.roles]
registered = "Registered Voters"
invalid = ["Over Votes", "Rejected write-ins"]
)";
  const ElectionSpec a = parse_spec(spec, "a.toml");
  ASSERT_TRUE(a.long_format);
  const ElectionSpec b = parse_spec(write_spec(a), "b.toml");
  ASSERT_TRUE(b.long_format);
  EXPECT_EQ(b.long_format->choice, "candidate");
  EXPECT_EQ(b.long_format->roles, a.long_format->roles);
  EXPECT_THROW(parse_spec(spec + "turnout = \"x\"\n", "c.toml"), InputError);  // unknown role
  EXPECT_THROW(parse_spec("[columns]\nid = \"a\"\n[long]\nchoice = \"c\"\n", "d.toml"), InputError);  // no votes
}

TEST(LongFormat, NoContestChosenListsTheRaces) {
  const std::string spec = R"(
[columns]
id = "precinct"
contest = "office"
[long]
choice = "candidate"
votes = "votes"
)";
  LoadOptions o;
  o.spec = parse_spec(spec, "spec.toml");
  try {
    load_election(temp_file("precinct,office,candidate,votes\nP,Governor,X,1\nP,Mayor,Y,2\n"), o);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& err) {
    EXPECT_NE(std::string(err.what()).find("Governor, Mayor"), std::string::npos) << err.what();
  }
}

// Source: the same file summed independently with pandas (`read_csv(dtype=str)`, office ==
// "President", votes without thousands separators, summed by candidate): Biden 18,254, Trump
// 37,567, Jorgensen 814, write-ins 174 over 50 precincts, each with its registered voters.
TEST(LongFormatShared, PennsylvaniaAdamsCountyTotals) {
  TALLYSCOPE_REQUIRE_SHARED(path, "usa-2020-pennsylvania/20201103__pa__general__adams__precinct.csv.gz");
  const Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "openelections-precinct");
  EXPECT_EQ(e.sheets(), 50u);
  const int biden = e.find_choice("Joseph R. Biden"), trump = e.find_choice("Donald J. Trump");
  ASSERT_GE(biden, 0);
  ASSERT_GE(trump, 0);
  EXPECT_EQ(total(e.choices()[static_cast<size_t>(biden)]), 18254);
  EXPECT_EQ(total(e.choices()[static_cast<size_t>(trump)]), 37567);
  EXPECT_EQ(e.choices().size(), 4u);
  ASSERT_NE(e.registered(), nullptr);
  EXPECT_EQ(e.registered()->missing, 0u);
}

// With --lenient, an unreadable count of a long file is kept as missing and reported where the file
// holds it (its row and the votes column), not at the sheet's first row in the wide reading; it is
// not reported a second time as an empty cell.
TEST(LongFormat, LenientUnreadableCountsNameTheirLongRow) {
  LoadOptions o;
  o.lenient = true;
  o.spec = parse_spec("[columns]\nid = \"mesa\"\n[long]\nchoice = \"party\"\nvotes = \"votes\"\n", "long.toml");
  const Election e = load_election(temp_file("mesa,party,votes\n1,X,10\n1,Y,-3\n2,X,4\n2,Y,5\n"), o);
  ASSERT_EQ(e.cell_issues().size(), 1u);
  const CellIssue& c = e.cell_issues()[0];
  EXPECT_EQ(c.sheet, 0u);
  EXPECT_EQ(c.line, 3u);
  EXPECT_EQ(c.column, 3u);
  EXPECT_EQ(c.header, "votes");
  EXPECT_EQ(c.text, "-3");
  EXPECT_EQ(e.choices()[1].values, (std::vector<int64_t>{kMissing, 5}));
  const IntegrityReport r = check_integrity(e, {});
  size_t unreadable = 0, empty = 0;
  for (const Finding& f : r.findings) unreadable += f.code == "unreadable_count", empty += f.code == "missing_count";
  EXPECT_EQ(unreadable, 1u);
  EXPECT_EQ(empty, 0u);
}

// One Honduran mesa's file, as the CNE served it (one row per list): the lists' votes,
// blank and null rows, and the voters on every row, add up (188 + 3 = 191).
TEST(LongFormatShared, HondurasOneMesa) {
  TALLYSCOPE_REQUIRE_SHARED(path, "honduras-2021/presidente/HN.5.1.1.1.3439_PRE_PRE.csv");
  const Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "honduras-cne-2021");
  ASSERT_EQ(e.sheets(), 1u);
  EXPECT_EQ(e.choices().size(), 15u);
  EXPECT_EQ(e.valid()[0], 186);
  EXPECT_EQ(e.blank()->values[0], 2);
  EXPECT_EQ(e.invalid()->values[0], 3);
  EXPECT_EQ(e.ballots()[0], e.declared_ballots()->values[0]);
  EXPECT_EQ(e.declared_ballots()->values[0], 191);
  ASSERT_TRUE(e.has_timestamps());
  EXPECT_EQ(e.encoding(), "utf-8");  // this file is UTF-8, though the README says Latin-1
}

}  // namespace
}  // namespace tallyscope
