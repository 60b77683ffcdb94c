#include "stats/poisson_binomial.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tallyscope::stats {
namespace {

// Reference: enumeration of all 2^n outcomes (closed form for small n).
TEST(PoissonBinomial, MatchesEnumerationOfEveryOutcome) {
  const std::vector<double> p{0.1, 0.5, 0.93, 0.02, 0.33, 0.71, 0.0, 1.0, 0.45};
  const size_t n = p.size();
  std::vector<double> want(n + 1, 0.0);
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    double pr = 1;
    for (size_t i = 0; i < n; ++i) pr *= (mask >> i & 1) ? p[i] : 1 - p[i];
    want[static_cast<size_t>(__builtin_popcount(mask))] += pr;
  }
  const PoissonBinomial pb(p);
  for (size_t k = 0; k <= n; ++k) EXPECT_NEAR(pb.pmf(static_cast<int64_t>(k)), want[k], 1e-15) << k;
  EXPECT_EQ(pb.lo(), 1);  // the trial with p = 1 always succeeds: 0 successes is impossible
}

// Reference: equal probabilities give the binomial law, C(n, k) p^k q^(n-k).
TEST(PoissonBinomial, EqualProbabilitiesGiveTheBinomial) {
  const int n = 2000;
  const double q = 0.11;
  const PoissonBinomial pb(std::vector<double>(n, q));
  for (int k : {150, 200, 220, 250, 300}) {
    const double want = std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
                                 k * std::log(q) + (n - k) * std::log1p(-q));
    EXPECT_NEAR(pb.pmf(k) / want, 1.0, 1e-9) << k;
  }
  EXPECT_LT(pb.hi() - pb.lo(), 400);  // the window holds the mass, not all 2001 values
}

// The sampler's draws have the law's mean sum p and variance sum p (1 - p) (within 4 standard
// errors), and a seed gives the same draws.
TEST(PoissonBinomial, DrawsHaveTheLawsMoments) {
  std::vector<double> p;
  for (int i = 0; i < 1024; ++i) p.push_back(0.02 + 0.2 * std::fmod(i * 0.618034, 1.0));
  double mu = 0, var = 0;
  for (double x : p) mu += x, var += x * (1 - x);
  const PoissonBinomial pb(p);
  Rng rng(7, 3), again(7, 3);
  const int R = 20000;
  double s = 0, s2 = 0;
  for (int r = 0; r < R; ++r) {
    const auto x = static_cast<double>(pb(rng));
    EXPECT_EQ(static_cast<double>(pb(again)), x);
    s += x, s2 += x * x;
  }
  const double m = s / R, v = s2 / R - m * m;
  EXPECT_NEAR(m, mu, 4 * std::sqrt(var / R));
  EXPECT_NEAR(v, var, 4 * var * std::sqrt(2.0 / R));
}

TEST(PoissonBinomial, NoTrialsIsZero) {
  const PoissonBinomial pb(std::vector<double>{});
  Rng rng(1, 1);
  EXPECT_EQ(pb(rng), 0);
  EXPECT_EQ(pb.pmf(0), 1.0);
}

}  // namespace
}  // namespace tallyscope::stats
