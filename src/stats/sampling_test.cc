#include "stats/sampling.h"

#include <cmath>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

// Goodness of fit of 200,000 draws against Boost.Math's binomial probabilities (cells with an
// expected count under 5 pooled into their neighbours); the chi-square p-value must not be tiny.
// Covers both branches (inversion for n*p < 10, BTRD above) and the p > 1/2 reflection.
double gof_p(int64_t n, double p, uint64_t seed) {
  Binomial b(n, p);
  Rng rng(seed, 0);
  const int draws = 200000;
  std::vector<double> obs(static_cast<size_t>(n + 1), 0);
  for (int i = 0; i < draws; ++i) {
    int64_t k = b(rng);
    EXPECT_GE(k, 0);
    EXPECT_LE(k, n);
    obs[static_cast<size_t>(k)] += 1;
  }
  boost::math::binomial_distribution<> d(static_cast<double>(n), p);
  double chi2 = 0, eacc = 0, oacc = 0;
  int cells = 0;
  for (int64_t k = 0; k <= n; ++k) {
    eacc += draws * boost::math::pdf(d, static_cast<double>(k));
    oacc += obs[static_cast<size_t>(k)];
    if (eacc >= 5 || k == n) {
      chi2 += (oacc - eacc) * (oacc - eacc) / std::max(eacc, 1e-12);
      eacc = oacc = 0;
      ++cells;
    }
  }
  boost::math::chi_squared_distribution<> c(std::max(cells - 1, 1));
  return boost::math::cdf(boost::math::complement(c, chi2));
}

TEST(ForensicsRandom, BinomialMatchesBoostProbabilities) {
  struct Case {
    int64_t n;
    double p;
  } cases[] = {{1, 0.3}, {7, 0.5}, {20, 0.2}, {50, 0.19}, {60, 0.5}, {400, 0.03},
               {400, 0.3}, {1500, 0.7}, {2500, 0.95}, {3000, 0.62}, {100, 0.999}};
  uint64_t seed = 1;
  for (const auto& c : cases) EXPECT_GT(gof_p(c.n, c.p, seed++), 1e-4) << "n=" << c.n << " p=" << c.p;
}

TEST(ForensicsRandom, DegenerateAndReproducible) {
  Rng rng(5, 0);
  EXPECT_EQ(Binomial(0, 0.4)(rng), 0);
  EXPECT_EQ(Binomial(10, 0)(rng), 0);
  EXPECT_EQ(Binomial(10, 1)(rng), 10);
  EXPECT_EQ(Binomial(10, std::nan(""))(rng), 0);
  Rng a(42, 7), b(42, 7), c(42, 8);
  Binomial bin(1000, 0.37);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    int64_t x = bin(a), y = bin(b), z = bin(c);
    EXPECT_EQ(x, y);
    differ += x != z;
  }
  EXPECT_GT(differ, 50);  // another stream gives other numbers
}

// Gamma(k) has mean k and variance k.
TEST(ForensicsRandom, GammaMoments) {
  for (double k : {0.5, 2.0, 30.0}) {
    Rng rng(9, 0);
    double s = 0, s2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      double x = rng.gamma(k);
      s += x;
      s2 += x * x;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    EXPECT_NEAR(mean, k, 5 * std::sqrt(k / n)) << k;
    EXPECT_NEAR(var / k, 1, 0.05) << k;
  }
}

}  // namespace
}  // namespace tallyscope::stats
