#include "analysis/forensics/digit_null.h"

#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>

#include "stats/binomial_pmf.h"
#include "stats/sampling.h"

namespace tallyscope {
namespace {

// Reference: the classes summed from Boost.Math's binomial pdf over the whole support 0..n, each
// count scored by DigitTally::add itself.
DigitClasses brute_force(int64_t n, double p, bool screened = false) {
  boost::math::binomial_distribution<> b(static_cast<double>(n), p);
  DigitClasses c;
  for (int64_t v = 0; v <= n; ++v) {
    if (screened && v * (n - v) < 49 * n) continue;  // sqrt(n q (1 - q)) < 7 at q = v / n
    const double w = boost::math::pdf(b, static_cast<double>(v));
    DigitTally t;
    t.add(v, n);
    if (t.n_last) {
      size_t d = 0;
      while (t.last[d] == 0) ++d;
      c.last_pair[3 * d + (t.repeated ? 0 : t.adjacent ? 1 : 2)] += w;
    } else {
      c.last_pair[30] += w;
    }
    c.second[t.n_second ? static_cast<size_t>(t.sum_second) : 10] += w;
    c.percent[t.n_percent ? (t.percent_0_5 ? 0 : 1) : 2] += w;
  }
  return c;
}

TEST(DigitNull, ClassesMatchTheWholeBinomial) {
  for (auto [n, p] : std::vector<std::pair<int64_t, double>>{
           {300, 0.4}, {1500, 0.67}, {80, 0.5}, {1000, 0.03}, {2500, 0.97}, {12, 0.5}}) {
    DigitClasses a = digit_classes(n, p), b = brute_force(n, p);
    for (size_t k = 0; k < 31; ++k) EXPECT_NEAR(a.last_pair[k], b.last_pair[k], 1e-10) << n << " " << p << " " << k;
    for (size_t k = 0; k < 11; ++k) EXPECT_NEAR(a.second[k], b.second[k], 1e-10) << n << " " << p << " " << k;
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(a.percent[k], b.percent[k], 1e-10) << n << " " << p << " " << k;
  }
}

// Screened: only the counts that pass the spread screen (Bolivia's mesas of 220 voters: 74 to 146
// ballots) contribute, against Boost.Math's pdf summed over exactly those counts.
TEST(DigitNull, ScreenedClassesAreTheBinomialOverTheCountsThatPass) {
  for (auto [n, p] : std::vector<std::pair<int64_t, double>>{{220, 0.63}, {220, 0.5}, {300, 0.8}, {150, 0.3}}) {
    DigitClasses a = digit_classes(n, p, true), b = brute_force(n, p, true);
    for (size_t k = 0; k < 31; ++k) EXPECT_NEAR(a.last_pair[k], b.last_pair[k], 1e-10) << n << " " << p << " " << k;
    for (size_t k = 0; k < 11; ++k) EXPECT_NEAR(a.second[k], b.second[k], 1e-10) << n << " " << p << " " << k;
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(a.percent[k], b.percent[k], 1e-10) << n << " " << p << " " << k;
  }
  // At 220 and 0.63 (mean 138.6, sd 7.2) the screen cuts the bulk: counts of 147 or more, 13.5% of
  // the binomial, have no weight.
  const DigitClasses c = digit_classes(220, 0.63, true), u = digit_classes(220, 0.63);
  double kept = 0, all = 0;
  for (double w : c.last_pair) kept += w;
  for (double w : u.last_pair) all += w;
  EXPECT_NEAR(kept / all, 0.865, 0.005);
}

TEST(DigitNull, PointMasses) {
  DigitClasses c = digit_classes(500, 0.0);
  EXPECT_EQ(c.last_pair[30], 1);  // count 0: below 10
  EXPECT_EQ(c.percent[2], 1);     // count 0: not scored
  c = digit_classes(500, 1.0);    // count 500: last digit 0 after 0, second digit 0, 100% not scored
  EXPECT_EQ(c.last_pair[0], 1);
  EXPECT_EQ(c.second[0], 1);
  EXPECT_EQ(c.percent[2], 1);
  c = digit_classes(0, 0.5);
  EXPECT_EQ(c.last_pair[30], 1);
}

// The sampler's tallies against those of real binomial redraws: same means within Monte Carlo error.
TEST(DigitNull, SamplerMatchesBinomialRedraws) {
  const int64_t n = 640;
  const double p = 0.58;
  DigitSampler s(digit_classes(n, p));
  stats::Binomial b(n, p);
  stats::Rng r1(3, 0), r2(3, 1);
  DigitTally direct, redrawn;
  const int draws = 400'000;
  for (int i = 0; i < draws; ++i) {
    s.draw(r1, direct);
    redrawn.add(b(r2), n);
  }
  DigitStatistics a = direct.statistics(), c = redrawn.statistics();
  EXPECT_EQ(a.n_last, static_cast<size_t>(draws));
  EXPECT_NEAR(a.last_digit_mean, c.last_digit_mean, 0.03);  // sd of each mean ~ 2.87 / sqrt(4e5) = 0.0045
  EXPECT_NEAR(a.second_digit_mean, c.second_digit_mean, 0.03);
  EXPECT_NEAR(a.last_0_5, c.last_0_5, 0.005);
  EXPECT_NEAR(a.pairs_repeated, c.pairs_repeated, 0.005);
  EXPECT_NEAR(a.pairs_adjacent, c.pairs_adjacent, 0.005);
  EXPECT_NEAR(a.percent_0_5, c.percent_0_5, 0.005);
  // And the direct draws' frequencies against the exact class probabilities.
  DigitClasses cl = digit_classes(n, p);
  double e_last = 0;
  for (size_t k = 0; k < 30; ++k) e_last += static_cast<double>(k / 3) * cl.last_pair[k];
  EXPECT_NEAR(a.last_digit_mean, e_last, 5 * 2.87 / std::sqrt(draws));
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Issue 15 item 10: the null's cost grew with the square root of the count. Past the exact
// support the classes come from the normal approximation; where both can be computed they agree.
TEST(DigitNull, NormalApproximationAgreesWhereBothRun) {
  for (auto [n_, p_] : std::vector<std::pair<int64_t, double>>{
           {10'000'000, 0.3}, {40'000'000, 0.55}, {3'000'000'000, 0.002}, {123'456'789, 0.5004}}) {
    const int64_t n = n_;  // a lambda below captures it: clang 14 captures no structured binding
    const double p = p_;
    const stats::BinomialRange r = stats::binomial_range(n, p);
    DigitClasses exact;
    stats::for_each_binomial_pmf(n, p, [&](int64_t v, double w) {
      DigitTally t;
      t.add(v, n);
      if (t.n_last) {
        size_t d = 0;
        while (t.last[d] == 0) ++d;
        exact.last_pair[3 * d + (t.repeated ? 0 : t.adjacent ? 1 : 2)] += w;
      } else {
        exact.last_pair[30] += w;
      }
      exact.second[t.n_second ? static_cast<size_t>(t.sum_second) : 10] += w;
      exact.percent[t.n_percent ? (t.percent_0_5 ? 0 : 1) : 2] += w;
    });
    const DigitClasses a = digit_classes_normal(n, p);
    SCOPED_TRACE(std::to_string(n) + " " + std::to_string(p) + " sd " + std::to_string(r.sd));
    for (size_t k = 0; k < 31; ++k) EXPECT_NEAR(a.last_pair[k], exact.last_pair[k], 1e-4) << k;
    for (size_t k = 0; k < 11; ++k) EXPECT_NEAR(a.second[k], exact.second[k], 1e-3) << k;
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(a.percent[k], exact.percent[k], 1e-3) << k;
  }
  // Ordinary counts keep the exact sums; counts near 10^12 take the approximation, in microseconds.
  EXPECT_TRUE(stats::binomial_range(100'000, 0.5).exact);
  EXPECT_FALSE(stats::binomial_range(1'000'000'000'000, 0.4).exact);
  const DigitClasses big = digit_classes(1'000'000'000'000, 0.4025);
  double total = 0;
  for (double w : big.last_pair) total += w;
  EXPECT_NEAR(total, 1, 1e-9);
  EXPECT_NEAR(big.percent[0], 1, 1e-9);  // 40.25% of 10^12 +- 5e5 rounds to 40
  EXPECT_NEAR(big.second[0], 1, 1e-9);   // 4.025e11 +- 5e5: second digit 0
}

}  // namespace
}  // namespace tallyscope
