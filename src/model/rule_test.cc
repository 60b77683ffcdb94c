#include "model/rule.h"

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

// Bolivia's rule (Constitution, art. 166): over 50% of valid votes, or at least 40% with a lead
// of at least 10 points over the second; otherwise a runoff.
TEST(Rule, BoliviaOutrightWithLead) {
  // The official 2019 totals: 47.08% with a 10.56-point lead.
  Outcome o = decide(ContestRule::bolivia(), {{"CC", 2240920}, {"MAS - IPSP", 2889359}, {"PDC", 539081}}, 6137671);
  EXPECT_TRUE(o.decided);
  EXPECT_EQ(o.winner, "MAS - IPSP");
}

TEST(Rule, BoliviaRunoffWhenLeadShort) {
  // 45% vs 35.01%: a lead of 9.99 points.
  Outcome o = decide(ContestRule::bolivia(), {{"A", 4500}, {"B", 3501}, {"C", 1999}}, 10000);
  EXPECT_FALSE(o.decided);
  ASSERT_EQ(o.runoff.size(), 2u);
  EXPECT_EQ(o.runoff[0], "A");
  EXPECT_EQ(o.runoff[1], "B");
}

TEST(Rule, BoliviaBoundaries) {
  // Exactly 40% with exactly 10 points: decided ("at least").
  EXPECT_TRUE(decide(ContestRule::bolivia(), {{"A", 4000}, {"B", 3000}, {"C", 3000}}, 10000).decided);
  // 39.99% with a 20-point lead: runoff.
  EXPECT_FALSE(decide(ContestRule::bolivia(), {{"A", 3999}, {"B", 1999}, {"C", 1999}, {"D", 2003}}, 10000).decided);
  // Exactly 50% is not "more than 50%", and the lead is 0 here.
  EXPECT_FALSE(decide(ContestRule::bolivia(), {{"A", 5000}, {"B", 5000}}, 10000).decided);
  // 50.01% without a lead of 10 points: decided by majority.
  EXPECT_TRUE(decide(ContestRule::bolivia(), {{"A", 5001}, {"B", 4999}}, 10000).decided);
}

TEST(Rule, MajorityOfBallots) {
  ContestRule r;
  r.kind = ContestRule::Kind::kMajority;
  r.base = ContestRule::Base::kBallots;
  // 60 of 100 valid but only 49% of 122 ballots.
  EXPECT_FALSE(decide(r, {{"A", 60}, {"B", 40}}, 122).decided);
  EXPECT_TRUE(decide(r, {{"A", 60}, {"B", 40}}, 119).decided);
}

TEST(Rule, SingleChoiceBelowTheThreshold) {
  ContestRule r;
  r.kind = ContestRule::Kind::kMajority;
  r.base = ContestRule::Base::kBallots;
  Outcome o = decide(r, {{"A", 40}}, 100);  // 40 valid of 100 ballots
  EXPECT_FALSE(o.decided);
  EXPECT_EQ(o.runoff.size(), 1u);
}

TEST(Rule, PluralityAndTies) {
  ContestRule r;
  Outcome o = decide(r, {{"A", 10}, {"B", 30}, {"C", 20}}, 60);
  EXPECT_TRUE(o.decided);
  EXPECT_EQ(o.winner, "B");
  Outcome tie = decide(r, {{"A", 30}, {"B", 30}, {"C", 20}}, 80);
  EXPECT_FALSE(tie.decided);
  EXPECT_EQ(tie.runoff.size(), 2u);
  EXPECT_NE(tie.text.find("tie"), std::string::npos);
  EXPECT_FALSE(decide(r, {{"A", 0}, {"B", 0}}, 0).decided);
}

}  // namespace
}  // namespace tallyscope
