#include "stats/alias.h"

#include <gtest/gtest.h>

#include "stats/sampling.h"

namespace tallyscope::stats {
namespace {

// Closed form: the table reproduces the probabilities exactly up to 2^-32 rounding. Every 32-bit
// (column, coin) pair is equally likely, so a class's probability is the measure of the pairs that
// land on it: sum over columns of (coin / 2^32 if the class is the column) + (1 - coin / 2^32 if it
// is the column's alias), divided by K.
template <size_t K>
std::array<double, K> implied(const Alias<K>& a) {
  std::array<double, K> p{};
  for (size_t i = 0; i < K; ++i) {
    const double keep = a.alias[i] == i ? 1.0 : a.coin[i] / 4294967296.0;
    p[i] += keep / K;
    if (a.alias[i] != i) p[a.alias[i]] += (1 - keep) / K;
  }
  return p;
}

TEST(Alias, ReproducesTheProbabilities) {
  const std::array<double, 5> p = {0.5, 0.2, 0.15, 0.1, 0.05};
  auto a = Alias<5>::build(p);
  auto q = implied(a);
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(q[i], p[i], 1e-9) << i;
}

TEST(Alias, UnnormalisedZerosAndDegenerate) {
  auto a = Alias<4>::build({0, 3, 0, 1});
  auto q = implied(a);
  EXPECT_NEAR(q[0], 0, 1e-12);
  EXPECT_NEAR(q[1], 0.75, 1e-9);
  EXPECT_NEAR(q[2], 0, 1e-12);
  EXPECT_NEAR(q[3], 0.25, 1e-9);
  auto z = Alias<3>::build({0, 0, 0});  // nothing: class 0
  Rng rng(1, 2);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(z.draw(rng.next()), 0u);
  auto one = Alias<11>::build({0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(one.draw(rng.next()), 7u);
}

TEST(Alias, DrawFrequencies) {
  const std::array<double, 11> p = {0.01, 0.09, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
  auto a = Alias<11>::build(p);
  Rng rng(7, 0);
  std::array<double, 11> n{};
  const int draws = 1'000'000;
  for (int i = 0; i < draws; ++i) ++n[a.draw(rng.next())];
  for (size_t i = 0; i < 11; ++i) {
    const double sd = std::sqrt(p[i] * (1 - p[i]) / draws);
    EXPECT_NEAR(n[i] / draws, p[i], 5 * sd) << i;
  }
}

}  // namespace
}  // namespace tallyscope::stats
