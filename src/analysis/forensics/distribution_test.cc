#include "analysis/forensics/distribution.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "analysis/forensics/forensics.h"
#include "analysis/simulate/simulate.h"
#include "model/load.h"
#include "stats/sampling.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

const ForensicTest* find(const std::vector<ForensicTest>& ts, const std::string& id, const std::string& target,
                         const std::string& region = "") {
  for (const auto& t : ts)
    if (t.id == id && t.target == target && t.region == region) return &t;
  return nullptr;
}

// A target of n units of `size` voters, shares ~ Beta(a, b) then binomial; with `mode2`, that
// fraction of the units has share near 0.97 instead (a second mode, as extreme stuffing makes).
DistributionTarget beta_target(size_t n, double a, double b, double mode2, uint64_t seed) {
  stats::Rng rng(seed, 0);
  DistributionTarget t;
  t.name = "A";
  for (size_t i = 0; i < n; ++i) {
    const int64_t size = 200 + static_cast<int64_t>(rng.below(1500));
    const double p = rng.uniform() < mode2 ? 0.97 : rng.beta(a, b);
    const int64_t ballots = stats::Binomial(size, 0.6)(rng);
    t.count.push_back(stats::Binomial(ballots, p)(rng));
    t.denom.push_back(ballots);
    t.registered.push_back(size);
    t.group.push_back(static_cast<uint32_t>(i % 2));
  }
  t.excluded_by.resize(2);
  return t;
}

DistributionOptions small_options() {
  DistributionOptions o;
  o.replicates = 200;
  o.threads = 2;
  return o;
}

TEST(Distribution, CleanBetaSharesAreNotRejected) {
  // Under the very null of skewness/kurtosis (a beta-binomial) and with share independent of
  // turnout, no test should be far in a tail; the dip of a unimodal beta is below the uniform's.
  auto ts = distribution_tests({beta_target(3000, 20, 25, 0, 1)}, small_options());
  ASSERT_EQ(ts.size(), 5u);
  for (const auto& t : ts) {
    EXPECT_EQ(t.units, 3000u);
    // Every distribution statistic is descriptive (issue 13): null moments, no p-value, never a flag.
    EXPECT_FALSE(t.run);
    EXPECT_FALSE(t.flag);
    EXPECT_EQ(t.role, "descriptive");
    EXPECT_NE(t.why_not.find("descriptive only"), std::string::npos);
    EXPECT_TRUE(std::isnan(t.p_value));
    if (t.id == "dip") continue;  // below the uniform's null, as a unimodal beta should be
    EXPECT_LT(std::fabs(t.statistic - t.null_mean), 4 * t.null_sd) << t.id;
  }
  const ForensicTest* slope = find(ts, "turnout_share_slope", "A");
  EXPECT_NEAR(slope->null_mean, 20.0 / 45, 0.01);  // under independence the slope is the mean share
  EXPECT_NEAR(find(ts, "turnout_share_correlation", "A")->null_mean, 0, 0.01);
}

TEST(Distribution, SecondModeNearHundredPercentIsDetected) {
  auto ts = distribution_tests({beta_target(3000, 20, 25, 0.1, 2)}, small_options());
  const ForensicTest* dip = find(ts, "dip", "A");
  ASSERT_TRUE(dip && dip->role == "descriptive");
  EXPECT_GT(dip->statistic, dip->null_mean + 5 * dip->null_sd);  // descriptive, but far off
  const ForensicTest* skew = find(ts, "skewness", "A");
  EXPECT_GT(skew->statistic, skew->null_mean + 5 * skew->null_sd);  // descriptive, but far off
  // Stuffed units are at ordinary turnout here, so the slope should see nothing special.
  const ForensicTest* slope = find(ts, "turnout_share_slope", "A");
  EXPECT_LT(std::fabs(slope->statistic - slope->null_mean), 4 * slope->null_sd);
}

TEST(Distribution, SubsampledNullMatchesTheFullNull) {
  // The sqrt(m / n) scaling: a null drawn on 500-unit subsamples against one on all 4000 units.
  DistributionTarget t = beta_target(4000, 8, 12, 0, 3);
  DistributionOptions full = small_options(), sub = small_options();
  full.null_units = 4000;
  sub.null_units = 500;
  auto a = distribution_tests({t}, full), b = distribution_tests({t}, sub);
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_NEAR(b[k].null_sd / a[k].null_sd, 1, 0.25) << a[k].id;
    EXPECT_NEAR(b[k].null_mean, a[k].null_mean, 0.5 * a[k].null_sd + (a[k].id == "dip" ? 0.15 * a[k].null_mean : 0))
        << a[k].id;
  }
}

TEST(Distribution, SameSeedSameOutputWhateverTheThreads) {
  DistributionTarget t = beta_target(1500, 5, 5, 0.05, 4);
  DistributionOptions o = small_options();
  o.groups = 2;
  o.level = "region";
  o.region_names = {"r0", "r1"};
  o.threads = 1;
  auto a = distribution_tests({t}, o);
  o.threads = 3;
  auto b = distribution_tests({t}, o);
  ASSERT_EQ(a.size(), 15u);  // whole count, then two regions
  EXPECT_EQ(b[5].region, "r0");
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].null_mean, b[k].null_mean);
    EXPECT_EQ(a[k].null_sd, b[k].null_sd);
    EXPECT_EQ(a[k].run, b[k].run);
    if (a[k].run) EXPECT_EQ(a[k].p_value, b[k].p_value);
    else EXPECT_TRUE(std::isnan(b[k].p_value));
  }
  o.seed += 1;
  auto c = distribution_tests({t}, o);
  EXPECT_NE(a[0].null_sd, c[0].null_sd);
}

TEST(Distribution, BadInputSaysWhyNot) {
  DistributionTarget few = beta_target(10, 5, 5, 0, 5);
  DistributionTarget zero = beta_target(100, 5, 5, 0, 6);
  zero.name = "Z";
  for (auto& v : zero.count) v = 0;
  DistributionTarget none;
  none.name = "turnout";
  none.turnout = true;
  none.why_not = "no registered-voters column";
  auto ts = distribution_tests({few, zero, none}, small_options());
  ASSERT_EQ(ts.size(), 5u + 5u + 3u);
  for (const auto& t : ts) EXPECT_FALSE(t.run) << t.id << " " << t.target;
  EXPECT_EQ(ts[0].why_not, "too few units (10 qualify, 20 needed)");
  for (const char* id : {"skewness", "dip", "turnout_share_slope"})
    EXPECT_EQ(find(ts, id, "Z")->why_not, "all counts are zero") << id;
  DistributionTarget flat = beta_target(100, 5, 5, 0, 7);
  for (size_t j = 0; j < flat.count.size(); ++j) flat.count[j] = flat.denom[j] / 2, flat.denom[j] = 2 * flat.count[j];
  auto f = distribution_tests({flat}, small_options());
  EXPECT_EQ(find(f, "dip", "A")->why_not, "every unit has the same share: statistic undefined");
  EXPECT_EQ(find(ts, "dip", "turnout")->why_not, "no registered-voters column");
  EXPECT_TRUE(std::isnan(ts[0].p_value));
}

// Simulated elections (analysis/simulate.h): clean, and with extreme stuffing (Klimek et al.
// 2012) in 10% of the sheets, which puts a second mode near 100% turnout and leader share.
TEST(Distribution, BatteryOnSimulatedElections) {
  SimulationOptions so;
  so.units = 4000;
  so.seed = 11;
  so.threads = 2;
  ForensicsOptions fo;
  fo.replicates = 200;
  fo.threads = 2;
  fo.digit_tests = false;
  fo.fits = false;
  fo.model_fits = false;
  ForensicsResult clean = run_forensics(simulate(so), fo);
  for (const auto& t : clean.tests) {
    EXPECT_FALSE(t.run && t.flag) << t.id << " " << t.target << " p " << t.p_value;
  }
  so.fraud_kind = FraudKind::kExtreme;
  so.fraud_share = 0.10;
  ForensicsResult ten = run_forensics(simulate(so), fo);
  so.fraud_share = 0.20;
  ForensicsResult twenty = run_forensics(simulate(so), fo);
  const std::string leader = ten.choices[0];
  // 10% of sheets stuffed: the second mode is plain in turnout, and the leader's share rises with
  // turnout (the S-S signature: slope above the mean share). These statistics are descriptive (no
  // honest null on real counts), so they show it without a flag: the statistic is far from the
  // null's mean.
  // The flags come from the within-place tail-symmetry test alone (within_place.h).
  for (const auto* r : {&ten, &twenty})
    for (const auto& t : r->tests) EXPECT_TRUE(!t.flag || t.id == "within_place_tail_symmetry") << t.id;
  EXPECT_TRUE(find(ten.tests, "within_place_tail_symmetry", leader)->flag);
  const ForensicTest* d = find(ten.tests, "dip", "turnout");
  EXPECT_GT(d->statistic, d->null_mean + 3 * d->null_sd);
  const ForensicTest* s = find(ten.tests, "turnout_share_slope", leader);
  EXPECT_GT(s->statistic, s->null_mean + 3 * s->null_sd);
  const ForensicTest* c = find(ten.tests, "turnout_share_correlation", leader);
  EXPECT_GT(c->statistic, c->null_mean + 3 * c->null_sd);
  const ForensicTest* d20 = find(twenty.tests, "dip", leader);
  EXPECT_GT(d20->statistic, d20->null_mean + 3 * d20->null_sd);
}

// Russia 2018 presidential election, 97,699 polling-station protocols. Kobak, Shpilkin &
// Pshenichnikov (2016, 2018) and the Sobyanin-Sukhovolsky literature: Putin's share rises with
// turnout (positive correlation, slope above his mean share; here even above 1, which clean
// additional voters cannot produce), and turnout has a second mode of stations near 100%.
// Peer values on the same units (ballots = valid + invalid; turnout on the 97,699 stations with
// ballots <= registered, shares on the 97,698 with ballots): scipy 1.10.1 skew/kurtosis
// (bias=False), statsmodels OLS of Putin votes / registered on turnout (slope 1.0288908344531662,
// HC1 se 0.00188), numpy corrcoef, and R diptest 0.76-0 dip() of the turnouts and shares.
TEST(Distribution, Russia2018) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  Election e = load_election(path);
  ForensicsOptions fo;
  fo.replicates = 200;
  fo.digit_tests = false;
  fo.fits = false;
  fo.model_fits = false;
  ForensicsResult r = run_forensics(e, fo);
  const std::string putin = r.choices[0], grudinin = r.choices[1];
  EXPECT_EQ(putin, "Путин Владимир Владимирович");
  auto at = [&](const std::string& id, const std::string& target) {
    const ForensicTest* t = find(r.tests, id, target);
    EXPECT_TRUE(t && t->role == "descriptive") << id << " " << target;
    return t;
  };
  EXPECT_NEAR(at("skewness", "turnout")->statistic, 0.3743787462962166, 1e-9);        // scipy
  EXPECT_NEAR(at("kurtosis", "turnout")->statistic, -0.8461903375034341, 1e-9);       // scipy
  EXPECT_NEAR(at("dip", "turnout")->statistic, 0.01346341825, 1e-10);                 // R diptest
  EXPECT_NEAR(at("dip", putin)->statistic, 0.00156093267, 1e-10);                     // R diptest
  EXPECT_NEAR(at("dip", grudinin)->statistic, 0.004575323958, 1e-11);                 // R diptest
  EXPECT_NEAR(at("turnout_share_slope", putin)->statistic, 1.0288908344531662, 1e-9);  // statsmodels
  EXPECT_NEAR(at("turnout_share_correlation", putin)->statistic, 0.5123246277065342, 1e-9);  // numpy
  EXPECT_NEAR(at("turnout_share_slope", grudinin)->statistic, -0.0229475034057079, 1e-9);
  EXPECT_EQ(at("dip", "turnout")->units, 97699u);
  EXPECT_EQ(at("dip", putin)->units, 97698u);
  // Descriptive now (issue 13): turnout bimodal and Putin's share tied to turnout are shown, far
  // from their nulls, but do not flag.
  const ForensicTest* dt = at("dip", "turnout");
  EXPECT_FALSE(dt->flag);
  EXPECT_GT(dt->statistic, dt->null_mean + 5 * dt->null_sd);
  const ForensicTest* slope = at("turnout_share_slope", putin);
  EXPECT_FALSE(slope->flag);
  // The null pairs turnouts and shares within regions, so it keeps the between-region slope
  // (regions of high turnout vote more for Putin): its mean, 0.90, is above Putin's mean share
  // across stations (0.775); the within-region dependence adds about 0.13 more.
  EXPECT_NEAR(slope->null_mean, 0.90, 0.02);
  EXPECT_GT(slope->statistic, slope->null_mean + 0.1);
}

}  // namespace
}  // namespace tallyscope
