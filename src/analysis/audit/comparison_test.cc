#include "analysis/audit/comparison.h"

#include <algorithm>
#include <iostream>

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope::audit {
namespace {

TEST(AuditComparison, OneCardSheetsAreShangrlaBallotLevelOverstatement) {
  // SHANGRLA Audit.py Assertion.overstatement_assorter: (1 - w / u) / (2 - v / u), for a ballot-
  // level comparison with overstatement w in [-u, u] (Stark 2020, section 3.2).
  const double u = 1, v = 0.2;
  std::vector<double> reported = {1, 0, 0.5, 1, 0.5};  // a card for the winner, the loser, neither
  std::vector<int64_t> cards(reported.size(), 1);
  BatchComparison bc = make_batch_comparison(reported, cards, u, v);
  for (double w : {-1.0, -0.5, 0.0, 0.5, 1.0}) EXPECT_NEAR(bc.value(w), (1 - w / u) / (2 - v / u), 1e-15) << w;
  EXPECT_NEAR(bc.x_max, 2 / (2 - v / u), 1e-15);
  EXPECT_NEAR(bc.no_error, 1 / (2 - v / u), 1e-15);
}

TEST(AuditComparison, BatchAssorterMeanIsHalfExactlyAtTheNullBoundary) {
  // Sheets of 200 cards reporting assorter totals 110 and 100 (v = 0.05). If the true totals are
  // lower by 5 per sheet on average (N v / 2 = 20 over 800 cards) the assertion is exactly false:
  // the mean of x is 1/2.
  std::vector<double> reported = {110, 100, 110, 100};
  std::vector<int64_t> cards(4, 200);
  BatchComparison bc = make_batch_comparison(reported, cards, 1, 0.05);
  EXPECT_NEAR(bc.c, 0.55, 1e-15);
  EXPECT_NEAR(bc.x_max, 1.0, 1e-15);  // (0.55 + 0.5) / (1.1 - 0.05)
  double mean = (bc.value(10) + bc.value(0) + bc.value(5) + bc.value(5)) / 4;
  EXPECT_NEAR(mean, 0.5, 1e-15);
  EXPECT_NEAR(bc.value(110), 0, 1e-15);  // the worst case: a true total of 0
  EXPECT_NEAR(bc.value(100 - 200), 1.0, 1e-15);
}

// Reference: SHANGRLA (commit 9d5db92edf1b, shangrla/core/NonnegMean.py) run locally:
// NonnegMean(N=1000, u=1.0, t=0.5, eta=eta).alpha_mart(np.full(1000, x0)), x0 = 0.55 / 1.05:
// the p-value first reaches 0.05 at draw 571 for eta = x0 (p 0.049429656200012946, 0.05003827588332668
// at 570) and at draw 241 for eta = 0.6 (p 0.049711936574191984).
TEST(AuditComparison, SheetsNeededWithoutErrorsMatchesShangrla) {
  std::vector<double> reported;
  for (int i = 0; i < 1000; ++i) reported.push_back(i % 2 ? 100 : 110);
  BatchComparison bc = make_batch_comparison(reported, std::vector<int64_t>(1000, 200), 1, 0.05);
  EXPECT_NEAR(bc.no_error, 0.5238095238095238, 1e-15);
  EXPECT_EQ(sheets_needed_no_errors(bc, 0.05), 571);
  EXPECT_EQ(sheets_needed_no_errors(bc, 0.05, 0.6), 241);
  auto p = alpha_p_history(bc.test(), bc.no_error, std::vector<double>(571, bc.no_error));
  EXPECT_NEAR(p[569], 0.05003827588332668, 1e-12);
  EXPECT_NEAR(p[570], 0.049429656200012946, 1e-12);
}

TEST(AuditComparison, SimulationIsSeededAndErrorsCostSheets) {
  std::vector<double> reported;
  for (int i = 0; i < 1000; ++i) reported.push_back(i % 2 ? 100 : 110);
  BatchComparison bc = make_batch_comparison(reported, std::vector<int64_t>(1000, 200), 1, 0.05);
  auto none = simulate_sheets_needed(bc, 0.05, 0, 1, 50, 7, 0.6);
  EXPECT_EQ(none.quantile(0.5), 241);
  EXPECT_EQ(none.quantile(1.0), 241);
  auto a = simulate_sheets_needed(bc, 0.05, 0.05, 1, 200, 7, 0.6);
  auto b = simulate_sheets_needed(bc, 0.05, 0.05, 1, 200, 7, 0.6);
  EXPECT_EQ(a.needed, b.needed);
  EXPECT_GT(a.quantile(0.5), 241);
  EXPECT_GE(a.quantile(0.9), a.quantile(0.5));
}

// Per-sheet reported assorter totals of the binding assertion, with each sheet's ballots as its
// card bound.
struct SheetInputs {
  ReportedTotals totals;
  std::vector<std::vector<int64_t>> votes;
  std::vector<int64_t> other, cards;
};

SheetInputs comparison_inputs_of(const Election& e) {
  SheetInputs in;
  for (const auto& c : e.choices()) in.totals.choices.push_back(c.name), in.totals.votes.push_back(0);
  for (size_t i = 0; i < e.sheets(); ++i) {
    std::vector<int64_t> v;
    for (size_t k = 0; k < e.choices().size(); ++k) v.push_back(e.choices()[k].or_zero(i)), in.totals.votes[k] += v.back();
    in.votes.push_back(std::move(v));
    in.other.push_back(e.ballots()[i] - e.valid()[i]);
    in.cards.push_back(e.ballots()[i]);
    in.totals.other += in.other.back();
    in.totals.cards += in.cards.back();
  }
  return in;
}

TEST(AuditComparisonShared, Bolivia2019SheetsNeededWithoutErrors) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  Election e = load_election(path);
  SheetInputs in = comparison_inputs_of(e);
  AssertionSet s = make_assertions(e.spec().rule, in.totals);
  ASSERT_FALSE(s.assertions.empty());
  int64_t worst = 0;
  for (const auto& a : s.assertions) {
    std::vector<double> r;
    for (size_t i = 0; i < in.cards.size(); ++i) r.push_back(a.sheet_total(in.votes[i], in.other[i], in.cards[i]));
    BatchComparison bc = make_batch_comparison(r, in.cards, a.u, a.margin);
    const int64_t n = sheets_needed_no_errors(bc, 0.05);
    ASSERT_GT(n, 0) << a.name;
    std::cout << a.name << ": margin " << a.margin << ", sheets needed with no discrepancy " << n << "\n";
    worst = std::max(worst, n);
  }
  EXPECT_LT(worst, static_cast<int64_t>(e.sheets()));
}

TEST(AuditComparisonShared, Bolivia2019TrepSnapshotIsASoundRunoff) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  Election e = load_election(path);
  SheetInputs in = comparison_inputs_of(e);
  AssertionSet s = make_assertions(e.spec().rule, in.totals);
  ASSERT_FALSE(s.outcome.decided) << s.outcome.text;
  ASSERT_EQ(s.outcome.runoff.size(), 2u);
  // Each choice: not over 50% and one disjunct of "no 40% with a 10-point lead"; the pair beats
  // the 7 others.
  EXPECT_EQ(s.assertions.size(), e.choices().size() * 2 + 2 * (e.choices().size() - 2));
  for (const auto& a : s.assertions) EXPECT_GT(a.margin, 0) << a.name;
  bool lead_tested = false;
  for (const auto& a : s.assertions)
    if (a.name == "MAS - IPSP is less than 10 points ahead of CC") lead_tested = true;
  EXPECT_TRUE(lead_tested);
  for (const auto& n : s.notes) std::cout << n << "\n";
}

}  // namespace
}  // namespace tallyscope::audit
