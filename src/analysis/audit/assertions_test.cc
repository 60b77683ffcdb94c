#include "analysis/audit/assertions.h"

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope::audit {
namespace {

ReportedTotals tiny_totals(std::vector<int64_t> votes, int64_t other, int64_t cards) {
  ReportedTotals t;
  for (size_t k = 0; k < votes.size(); ++k) t.choices.push_back(std::string(1, static_cast<char>('A' + k)));
  t.votes = std::move(votes);
  t.other = other;
  t.cards = cards;
  return t;
}

ContestRule rule_of(ContestRule::Kind kind, ContestRule::Base base = ContestRule::Base::kValid) {
  ContestRule r = ContestRule::bolivia();
  r.kind = kind;
  r.base = base;
  return r;
}

TEST(AuditAssertions, PluralityPairwiseMarginsClosedForm) {
  // SHANGRLA (Stark 2020, section 2.1): assorter (1[w] - 1[l] + 1) / 2, u = 1, margin (w - l) / N.
  AssertionSet s = make_assertions(rule_of(ContestRule::Kind::kPlurality), tiny_totals({50, 30, 10}, 10, 100));
  ASSERT_TRUE(s.outcome.decided);
  ASSERT_EQ(s.assertions.size(), 2u);
  EXPECT_EQ(s.assertions[0].name, "A beats B");
  EXPECT_DOUBLE_EQ(s.assertions[0].u, 1);
  EXPECT_DOUBLE_EQ(s.assertions[0].margin, 0.2);
  EXPECT_DOUBLE_EQ(s.assertions[0].reported_mean, 0.6);
  EXPECT_DOUBLE_EQ(s.assertions[1].margin, 0.4);
  // One ballot for A, B, C, blank; an empty slot: 1, 0, 1/2, 1/2, 1/2.
  const auto& a = s.assertions[0];
  EXPECT_DOUBLE_EQ(a.sheet_total({1, 0, 0}, 0, 1), 1);
  EXPECT_DOUBLE_EQ(a.sheet_total({0, 1, 0}, 0, 1), 0);
  EXPECT_DOUBLE_EQ(a.sheet_total({0, 0, 1}, 0, 1), 0.5);
  EXPECT_DOUBLE_EQ(a.sheet_total({0, 0, 0}, 1, 1), 0.5);
  EXPECT_DOUBLE_EQ(a.sheet_total({0, 0, 0}, 0, 1), 0.5);
}

TEST(AuditAssertions, MajorityIsShangrlaSupermajority) {
  // SHANGRLA's supermajority assorter (Audit.py make_supermajority_assertion): a vote for the
  // winner 1/(2f), another valid vote 0, an invalid ballot 1/2; margin q (p / f - 1) with q the
  // valid share of the cards and p the winner's share of the valid votes (find_margin_from_tally).
  AssertionSet s = make_assertions(rule_of(ContestRule::Kind::kMajority), tiny_totals({60, 25, 5}, 10, 100));
  ASSERT_TRUE(s.outcome.decided);
  ASSERT_EQ(s.assertions.size(), 1u);
  const auto& a = s.assertions[0];
  EXPECT_DOUBLE_EQ(a.u, 1.0);  // 1 / (2 * 0.5)
  const double q = 0.9, p = 60.0 / 90, f = 0.5;
  EXPECT_NEAR(a.margin, q * (p / f - 1), 1e-12);
  EXPECT_NEAR(a.sheet_total({1, 0, 0}, 0, 1), 1 / (2 * f), 1e-12);
  EXPECT_NEAR(a.sheet_total({0, 1, 0}, 0, 1), 0, 1e-12);
  EXPECT_NEAR(a.sheet_total({0, 0, 0}, 1, 1), 0.5, 1e-12);
  // By hand: 60 - 0.5 * 90 = 15 votes to spare, l = 0.5, N = 100: margin 0.3.
  EXPECT_DOUBLE_EQ(a.reported_score, 15);
  EXPECT_DOUBLE_EQ(a.margin, 0.3);
}

TEST(AuditAssertions, MajorityOfBallotsCountsBlankAndInvalid) {
  AssertionSet s = make_assertions(rule_of(ContestRule::Kind::kMajority, ContestRule::Base::kBallots),
                                   tiny_totals({60, 25, 5}, 10, 100));
  ASSERT_EQ(s.assertions.size(), 1u);
  EXPECT_DOUBLE_EQ(s.assertions[0].reported_score, 10);  // 60 - 0.5 * 100
  EXPECT_DOUBLE_EQ(s.assertions[0].sheet_total({0, 0, 0}, 1, 1), 0);
}

TEST(AuditAssertions, ThresholdWinnerTestsTheEasierDisjunct) {
  // 45% with a 20-point lead: the majority disjunct is false, the 40%-and-10-points one holds.
  AssertionSet s = make_assertions(rule_of(ContestRule::Kind::kThreshold), tiny_totals({45, 25, 30}, 0, 100));
  ASSERT_TRUE(s.outcome.decided) << s.outcome.text;
  ASSERT_EQ(s.assertions.size(), 3u);  // share, lead over B, lead over C
  EXPECT_EQ(s.assertions[0].name, "A has more than 40%");
  EXPECT_NEAR(s.assertions[0].reported_score, 5, 1e-12);  // 45 - 40
  EXPECT_NEAR(s.assertions[0].margin, 5 / (0.4 * 100), 1e-12);
  // A - C - 0.1 * 100 = 5 votes; l = 1.1; u = (0.9 + 1.1) / 2.2.
  EXPECT_EQ(s.assertions[2].name, "A leads C by at least 10 points");
  EXPECT_NEAR(s.assertions[2].reported_score, 5, 1e-12);
  EXPECT_NEAR(s.assertions[2].l, 1.1, 1e-15);
  EXPECT_NEAR(s.assertions[2].u, 2 / 2.2, 1e-15);
  EXPECT_NEAR(s.assertions[2].margin, 5 / 110.0, 1e-12);
  EXPECT_NEAR(s.min_margin(), 5 / 110.0, 1e-12);
  ASSERT_FALSE(s.notes.empty());
  EXPECT_NE(s.notes[0].find("the minimum share and lead"), std::string::npos);
  // 70%: the majority disjunct (margin 0.4) is easier than the lead one.
  AssertionSet m = make_assertions(rule_of(ContestRule::Kind::kThreshold), tiny_totals({70, 25, 5}, 0, 100));
  ASSERT_EQ(m.assertions.size(), 1u);
  EXPECT_EQ(m.assertions[0].name, "A has more than 50%");
}

TEST(AuditAssertions, ThresholdRunoffNoOutrightWinner) {
  // 38 / 35 / 27: a runoff A-B. A: not over 50% (margin by hand (50-38)/(0.5*100)), and of
  // "below 40%" (2 votes, l = 0.6) or "less than 10 points ahead of B" (B - A + 10 = 7 votes;
  // scores B 1.1, A -0.9, others 0.1, so l = 0.9) the larger margin: 2/60 vs 7/90, so the lead.
  AssertionSet s = make_assertions(rule_of(ContestRule::Kind::kThreshold), tiny_totals({38, 35, 27}, 0, 100));
  ASSERT_FALSE(s.outcome.decided);
  ASSERT_EQ(s.assertions.size(), 3u * 2 + 2);
  EXPECT_EQ(s.assertions[0].name, "A has less than 50%");
  EXPECT_NEAR(s.assertions[0].reported_score, 12, 1e-12);
  EXPECT_NEAR(s.assertions[0].margin, 12 / 50.0, 1e-12);
  EXPECT_EQ(s.assertions[1].name, "A is less than 10 points ahead of B");
  EXPECT_NEAR(s.assertions[1].reported_score, 7, 1e-12);
  EXPECT_NEAR(s.assertions[1].margin, 7 / 90.0, 1e-12);
  // C: "less than 10 ahead of A" (21 votes over l = 0.9) beats below 40% (13 over l = 0.6).
  EXPECT_EQ(s.assertions[5].name, "C is less than 10 points ahead of A");
  EXPECT_NEAR(s.assertions[5].margin, 21 / 90.0, 1e-12);
  EXPECT_EQ(s.assertions[6].name, "A beats C");
  EXPECT_EQ(s.assertions[7].name, "B beats C");
  EXPECT_NEAR(s.assertions[7].margin, 0.08, 1e-12);  // B beats C: 8 / 100
  EXPECT_NEAR(s.min_margin(), 7 / 90.0, 1e-12);
  for (const auto& a : s.assertions) EXPECT_GT(a.margin, 0) << a.name;
  EXPECT_EQ(s.notes.size(), 3u);
}

TEST(AuditAssertions, TiesGetNoAssertions) {
  AssertionSet s = make_assertions(rule_of(ContestRule::Kind::kPlurality), tiny_totals({40, 40, 20}, 0, 100));
  EXPECT_TRUE(s.assertions.empty());
  ASSERT_EQ(s.notes.size(), 1u);
}

ReportedTotals totals_of(const Election& e) {
  ReportedTotals t;
  for (const auto& c : e.choices()) {
    t.choices.push_back(c.name);
    int64_t v = 0;
    for (size_t i = 0; i < e.sheets(); ++i) v += c.or_zero(i);
    t.votes.push_back(v);
  }
  for (size_t i = 0; i < e.sheets(); ++i) {
    t.other += e.ballots()[i] - e.valid()[i];
    t.cards += e.ballots()[i];
  }
  return t;
}

TEST(AuditAssertionsShared, Bolivia2019FinalTenPointLead) {
  // The figures: MAS 2,889,359, CC 2,240,920, valid 6,137,671; the lead exceeds 10% of
  // the valid votes by 648,439 - 613,767.1 = 34,671.9 votes.
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  Election e = load_election(path);
  ReportedTotals t = totals_of(e);
  int mas = e.find_choice("MAS - IPSP"), cc = e.find_choice("CC");
  ASSERT_GE(mas, 0);
  ASSERT_GE(cc, 0);
  EXPECT_EQ(t.votes[mas], 2889359);
  EXPECT_EQ(t.votes[cc], 2240920);
  int64_t valid = 0;
  for (int64_t v : t.votes) valid += v;
  EXPECT_EQ(valid, 6137671);
  AssertionSet s = make_assertions(e.spec().rule, t);
  ASSERT_TRUE(s.outcome.decided);
  const Assertion* lead = nullptr;
  for (const auto& a : s.assertions)
    if (a.name == "MAS - IPSP leads CC by at least 10 points") lead = &a;
  ASSERT_NE(lead, nullptr);
  EXPECT_NEAR(lead->reported_score, 34671.9, 1e-6);
  EXPECT_NEAR(lead->margin, 34671.9 / (1.1 * static_cast<double>(t.cards)), 1e-12);
  EXPECT_NEAR(s.min_margin(), lead->margin, 1e-15);  // the binding assertion
  EXPECT_EQ(s.assertions.size(), 9u);  // at least 40%, and the lead over each of the 8 others
}

}  // namespace
}  // namespace tallyscope::audit
