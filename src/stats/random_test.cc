// Reference: the binomial distribution's closed-form moments, mean n*p and variance n*p*(1-p),
// and its pmf (scipy.stats.binom.pmf(k, 20, 0.1) = 0.12158, 0.27017, 0.28518 for k = 0, 1, 2).
#include "stats/random.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

TEST(Random, SameSeedAndStreamSameNumbers) {
  Rng a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  uint64_t x = a.next();
  EXPECT_EQ(x, b.next());
  EXPECT_NE(x, c.next());
  EXPECT_NE(x, d.next());
}

TEST(Random, UniformAndNormalMoments) {
  Rng r(1, 0);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    su += u;
    double z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.003);    // sd of the mean: 0.289/sqrt(n) = 0.00065
  EXPECT_NEAR(sn / n, 0.0, 0.01);     // 1/sqrt(n) = 0.0022
  EXPECT_NEAR(sn2 / n, 1.0, 0.015);   // sqrt(2/n) = 0.0032
  for (int i = 0; i < 1000; ++i) EXPECT_LT(r.below(7), 7u);
}

TEST(Random, BinomialMomentsMatchTheClosedForm) {
  struct Case {
    int64_t n;
    double p;
  };
  // Both regimes: inversion (n*p < 30) and the normal approximation; p > 0.5 by symmetry.
  for (Case c : {Case{20, 0.1}, Case{400, 0.05}, Case{1000, 0.65}, Case{3000, 0.3}, Case{50, 0.97}}) {
    Rng r(2026, static_cast<uint64_t>(c.n));
    const int draws = 100000;
    double s = 0, s2 = 0;
    for (int i = 0; i < draws; ++i) {
      int64_t k = binomial(r, c.n, c.p);
      ASSERT_GE(k, 0);
      ASSERT_LE(k, c.n);
      s += static_cast<double>(k);
      s2 += static_cast<double>(k) * static_cast<double>(k);
    }
    double mean = s / draws, var = s2 / draws - mean * mean;
    double m = static_cast<double>(c.n) * c.p, v = m * (1 - c.p);
    EXPECT_NEAR(mean, m, 5 * std::sqrt(v / draws)) << c.n << " " << c.p;
    EXPECT_NEAR(var / v, 1.0, 0.03) << c.n << " " << c.p;
  }
  Rng r(3, 3);
  EXPECT_EQ(binomial(r, 0, 0.5), 0);
  EXPECT_EQ(binomial(r, 10, 0.0), 0);
  EXPECT_EQ(binomial(r, 10, 1.0), 10);
}

TEST(Random, BinomialPmfByInversion) {
  Rng r(5, 5);
  const int draws = 200000;
  std::vector<int> hist(21, 0);
  for (int i = 0; i < draws; ++i) ++hist[static_cast<size_t>(binomial(r, 20, 0.1))];
  const double ref[] = {0.12158, 0.27017, 0.28518};  // scipy.stats.binom.pmf([0, 1, 2], 20, 0.1)
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(hist[static_cast<size_t>(k)] / double(draws), ref[k], 0.004) << k;
}

}  // namespace
}  // namespace tallyscope
