#include "analysis/count/summary.h"

#include <cmath>

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

TEST(Summary, TotalsSharesMarginOutcome) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\", \"C\"]\n[columns]\nid = \"id\"\nregistered = \"reg\"\nblank = \"bl\"\n"
                      "invalid = \"nu\"\n[rule]\nkind = \"majority\"\n", "s");
  std::string path = testing::temp_file("id,reg,A,B,C,bl,nu\n1,100,30,40,10,5,5\n2,100,50,20,0,0,1\n");
  Summary s = summarize(load_election(path, o));
  EXPECT_EQ(s.units, 2u);
  EXPECT_EQ(s.registered, 200);
  EXPECT_EQ(s.valid, 150);
  EXPECT_EQ(s.blank, 5);
  EXPECT_EQ(s.invalid, 6);
  EXPECT_EQ(s.ballots, 161);
  EXPECT_DOUBLE_EQ(s.turnout, 161.0 / 200);
  ASSERT_EQ(s.choices.size(), 3u);
  EXPECT_EQ(s.choices[0].name, "A");
  EXPECT_EQ(s.choices[0].votes, 80);
  EXPECT_DOUBLE_EQ(s.choices[0].share, 80.0 / 150);
  EXPECT_EQ(s.margin.leader, "A");
  EXPECT_EQ(s.margin.runner_up, "B");
  EXPECT_DOUBLE_EQ(s.margin.points, 100.0 * 20 / 150);
  EXPECT_TRUE(s.outcome.decided);  // 53.3% of valid votes
  auto j = to_json(s);
  for (const char* k : {"units", "registered", "valid", "blank", "invalid", "choices", "margin", "outcome"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["choices"][0]["name"], "A");
  EXPECT_DOUBLE_EQ(j["margin"]["points"].get<double>(), 100.0 * 20 / 150);
}

// Pennsylvania's counties give registered voters for some precincts only: turnout over every
// sheet's ballots would read 188%. Sheets without registered voters count on neither side.
TEST(Summary, TurnoutRestsOnTheSheetsWithRegisteredVoters) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\nregistered = \"reg\"\n", "s");
  const Election e = load_election(testing::temp_file("id,reg,A,B\n1,100,30,40\n2,,500,400\n"), o);
  const Summary s = summarize(e);
  EXPECT_DOUBLE_EQ(s.turnout, 70.0 / 100);
  EXPECT_EQ(s.turnout_sheets, 1u);
  EXPECT_NE(to_text(s, e).find("turnout 70.00% (on the 1 sheets with registered voters)"), std::string::npos)
      << to_text(s, e);
}

// Official facts from ../shared/data/README.md: the final count has 6,137,671 valid votes;
// MAS-IPSP 2,889,359 (47.08%), CC 2,240,920 (36.51%), a margin of 10.56 points; outright win.
TEST(SummaryShared, Bolivia2019Final) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  Summary s = summarize(load_election(path));
  EXPECT_EQ(s.units, 34555u);
  EXPECT_EQ(s.valid, 6137671);
  EXPECT_EQ(s.choices[0].name, "MAS - IPSP");
  EXPECT_EQ(s.choices[0].votes, 2889359);
  EXPECT_EQ(s.choices[1].name, "CC");
  EXPECT_EQ(s.choices[1].votes, 2240920);
  EXPECT_NEAR(100 * s.choices[0].share, 47.08, 0.005);
  EXPECT_NEAR(100 * s.choices[1].share, 36.51, 0.005);
  EXPECT_NEAR(s.margin.points, 10.56, 0.005);
  EXPECT_TRUE(s.outcome.decided);
  EXPECT_EQ(s.outcome.winner, "MAS - IPSP");
}

// At 19:40:57 the TREP held 83.85% of actas with MAS ahead by 7.87 points: a runoff on those numbers.
TEST(SummaryShared, Bolivia2019TrepAtInterruption) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  Summary s = summarize(load_election(path));
  EXPECT_EQ(s.units, 28975u);
  EXPECT_NEAR(100.0 * s.units / 34555, 83.85, 0.005);
  EXPECT_EQ(s.margin.leader, "MAS - IPSP");
  EXPECT_NEAR(s.margin.points, 7.87, 0.005);
  EXPECT_FALSE(s.outcome.decided);
}

TEST(SummaryShared, Bolivia2019TrepNextEvening) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/trep-2019-10-21T18-29-53.csv.gz");
  Summary s = summarize(load_election(path));
  EXPECT_EQ(s.units, 32806u);
  EXPECT_EQ(s.valid, 5841452);  // cross-checked with pandas on the same file
  EXPECT_NEAR(s.margin.points, 10.15, 0.005);
  EXPECT_TRUE(s.outcome.decided);
}

// Totals of the 2016 referendum computed independently with pandas from the same file:
// NO 2,645,048, SÍ 2,506,562, valid 5,151,610, ballots 5,409,838, registered 6,243,079.
TEST(SummaryShared, Bolivia2016Referendum) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  Summary s = summarize(load_election(path));
  EXPECT_EQ(s.units, 29224u);
  EXPECT_EQ(s.choices[0].name, "NO");
  EXPECT_EQ(s.choices[0].votes, 2645048);
  EXPECT_EQ(s.choices[1].votes, 2506562);
  EXPECT_EQ(s.valid, 5151610);
  EXPECT_EQ(s.ballots, 5409838);
  EXPECT_EQ(s.registered, 6243079);
  EXPECT_EQ(s.outcome.winner, "NO");
}

// Russia 2018: Putin 56,430,712 votes, 76.69% of the 73,578,992 ballots found in boxes (the CEC's
// published figure is 76.69%); 109,008,428 registered voters.
TEST(SummaryShared, Russia2018) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  Summary s = summarize(load_election(path));
  EXPECT_EQ(s.units, 97699u);
  EXPECT_EQ(s.registered, 109008428);
  EXPECT_EQ(s.ballots, 73578992);
  EXPECT_EQ(s.valid, 72787734);
  EXPECT_EQ(s.choices[0].name, "Путин Владимир Владимирович");
  EXPECT_EQ(s.choices[0].votes, 56430712);
  EXPECT_NEAR(100.0 * s.choices[0].votes / s.ballots, 76.69, 0.005);
  EXPECT_TRUE(s.outcome.decided);
}

}  // namespace
}  // namespace tallyscope
