#include "analysis/forensics/within_place.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "analysis/simulate/simulate.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

const ForensicTest* wp_find(const WithinPlaceResult& r, const std::string& id, const std::string& target) {
  for (const auto& t : r.tests)
    if (t.id == id && t.target == target) return &t;
  return nullptr;
}

// Reference: the closed form by hand. Place P1: ballots 50 and 70 of 100 registered each, pooled
// rate 0.6, X^2 = 2 * 10^2 / (100 * 0.6 * 0.4) = 8.3333, df 1; place P2: three sheets at 60 of
// 100, X^2 = 0, df 2. phi = 8.3333 / 3 = 2.7778, null mean 1, sd sqrt(2 / 3).
TEST(WithinPlace, DispersionMatchesTheClosedForm) {
  const std::string csv =
      "id,region,place,reg,A,B\n1,R,P1,100,30,20\n2,R,P1,100,40,30\n3,R,P2,100,30,30\n4,R,P2,100,30,30\n"
      "5,R,P2,100,30,30\n6,R,P3,100,1,1\n";
  LoadOptions lo;
  lo.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"region\", \"place\"]\n"
                       "registered = \"reg\"\n", "spec");
  Election e = load_election(testing::temp_file(csv), lo);
  EXPECT_EQ(within_place_level(e), 1);  // place: two of its three units hold two or more sheets
  WithinPlaceOptions o;
  o.min_places = 1;
  WithinPlaceResult r = within_place_tests(e, {0}, o);
  ASSERT_TRUE(r.run) << r.why_not;
  EXPECT_EQ(r.level, "place");
  EXPECT_TRUE(r.places);
  EXPECT_EQ(r.units, 2u);
  const ForensicTest* d = wp_find(r, "within_place_dispersion", "turnout");
  ASSERT_NE(d, nullptr);
  EXPECT_NEAR(d->statistic, 25.0 / 9, 1e-12);
  EXPECT_DOUBLE_EQ(d->null_mean, 1);
  EXPECT_NEAR(d->null_sd, std::sqrt(2.0 / 3), 1e-12);
  EXPECT_EQ(d->role, "descriptive");
  EXPECT_FALSE(d->run);
  // A's shares: P1 30/50 and 40/70 (pooled 70/120), P2 three at 0.5: X^2 by hand.
  const double p = 70.0 / 120, chi = std::pow(30 - 50 * p, 2) / (50 * p * (1 - p)) + std::pow(40 - 70 * p, 2) / (70 * p * (1 - p));
  EXPECT_NEAR(wp_find(r, "within_place_dispersion", "A")->statistic, chi / 3, 1e-12);
}

SimulationOptions wp_sim(uint64_t seed) {
  SimulationOptions so;
  so.units = 12000;
  so.seed = seed;
  so.threads = 2;
  return so;
}

// Clean simulated counts (place effects, sheet-level overdispersion): the tail-symmetry test does
// not fire. Extreme stuffing for the leader in 2% of the sheets (Klimek et al.): it does, far.
TEST(WithinPlace, TailSymmetryQuietOnCleanAndFindsStuffing) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    Election clean = simulate(wp_sim(seed));
    WithinPlaceResult r = within_place_tests(clean, {0});
    ASSERT_TRUE(r.run) << r.why_not;
    EXPECT_TRUE(r.places);
    const ForensicTest* t = wp_find(r, "within_place_tail_symmetry", clean.choices()[0].name);
    ASSERT_TRUE(t && t->run) << (t ? t->why_not : "missing");
    EXPECT_GT(t->p_value, 0.001) << "seed " << seed << " statistic " << t->statistic << " sd " << t->null_sd;
    // The simulator's sheet-level noise is overdispersion, which phi sees (descriptive).
    EXPECT_GT(wp_find(r, "within_place_dispersion", "turnout")->statistic, 1);
  }
  SimulationOptions so = wp_sim(4);
  so.fraud_kind = FraudKind::kExtreme;
  so.fraud_share = 0.02;
  Election stuffed = simulate(so);
  WithinPlaceResult r = within_place_tests(stuffed, {0});
  const ForensicTest* t = wp_find(r, "within_place_tail_symmetry", stuffed.choices()[0].name);
  ASSERT_TRUE(t && t->run);
  EXPECT_LT(t->p_value, 0.001) << t->statistic << " sd " << t->null_sd;  // 1.5e-4 at seed 4: few places of 4+ sheets
}

// The tail sheets of a stuffed count are the stuffed sheets: most stuffed sheets of places the test
// uses are listed, and most listed sheets are stuffed (the truth is the simulator's sim_stuffed extra).
TEST(WithinPlace, TailSheetsAreTheStuffedOnes) {
  SimulationOptions so = wp_sim(4);
  so.fraud_kind = FraudKind::kExtreme;
  so.fraud_share = 0.02;
  Election e = simulate(so);
  const CountColumn* truth = nullptr;
  for (const auto& x : e.extras())
    if (x.name == "stuffed") truth = &x;
  ASSERT_NE(truth, nullptr);
  WithinPlaceResult r = within_place_tests(e, {0});
  ASSERT_FALSE(r.tail_sheets.empty());
  size_t stuffed_listed = 0;
  for (size_t k = 0; k < r.tail_sheets.size(); ++k) {
    const TailSheet& t = r.tail_sheets[k];
    if (k) {
      EXPECT_LT(r.tail_sheets[k - 1].sheet, t.sheet);
    }
    EXPECT_GT(t.turnout_z, kTailZ);
    EXPECT_GT(t.share_z, kTailZ);
    EXPECT_GT(t.share_excess, 0);
    EXPECT_GT(t.turnout_excess, 0);
    stuffed_listed += (*truth)[t.sheet] > 0;
  }
  EXPECT_GT(static_cast<double>(stuffed_listed), 0.8 * static_cast<double>(r.tail_sheets.size()))
      << stuffed_listed << " of " << r.tail_sheets.size();
  EXPECT_GT(stuffed_listed, 100u);  // of the 240 stuffed, those in places of four or more sheets
}

TEST(WithinPlace, SameSeedSameResult) {
  Election e = simulate(wp_sim(5));
  WithinPlaceOptions o;
  o.replicates = 50;
  WithinPlaceResult a = within_place_tests(e, {0, 1}, o), b = within_place_tests(e, {0, 1}, o);
  ASSERT_EQ(a.tests.size(), 1u + 2u * 2u + 1u);
  for (size_t k = 0; k < a.tests.size(); ++k) {
    EXPECT_EQ(a.tests[k].statistic, b.tests[k].statistic);
    EXPECT_EQ(a.tests[k].null_sd, b.tests[k].null_sd);
  }
}

}  // namespace
}  // namespace tallyscope
