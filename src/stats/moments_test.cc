#include "stats/moments.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

const std::vector<double> kX = {0.12, 0.5, 0.33, 0.9, 0.41, 0.27, 0.75, 0.05, 0.61, 0.38};
const std::vector<double> kY = {0.3, 0.45, 0.41, 0.8, 0.35, 0.33, 0.7, 0.2, 0.52, 0.47};

// Reference: scipy 1.10.1, scipy.stats.skew(x, bias=False), scipy.stats.kurtosis(x, fisher=True,
// bias=False), scipy.stats.linregress(x, y) (slope, intercept, rvalue), printed with repr().
TEST(Moments, MatchScipy) {
  EXPECT_NEAR(skewness(kX.data(), kX.size()), 0.35952518880671736, 1e-13);
  EXPECT_NEAR(excess_kurtosis(kX.data(), kX.size()), -0.41503938574671917, 1e-13);
  LineFit f = fit_line(kX.data(), kY.data(), kX.size());
  EXPECT_NEAR(f.slope, 0.6609856776533868, 1e-13);
  EXPECT_NEAR(f.intercept, 0.1674541872537369, 1e-13);
  EXPECT_NEAR(f.correlation, 0.9631590353709653, 1e-13);
}

// Closed forms: a symmetric sample has skewness 0; the excess kurtosis of the two-point sample
// {-1, 1} x n/2 is (n-1)/((n-2)(n-3)) * ((n+1) - 3(n-1)) (m4 / m2^2 = 1); a line fits exactly.
TEST(Moments, ClosedForms) {
  const std::vector<double> sym = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_NEAR(skewness(sym.data(), sym.size()), 0, 1e-15);
  std::vector<double> two;
  for (int i = 0; i < 10; ++i) two.push_back(i % 2 ? 1 : -1);
  EXPECT_NEAR(excess_kurtosis(two.data(), two.size()), 9.0 / (8 * 7) * (11 - 27), 1e-12);
  const std::vector<double> y = {3, 5, 7, 9, 11, 13, 15};
  LineFit f = fit_line(sym.data(), y.data(), sym.size());
  EXPECT_NEAR(f.slope, 2, 1e-14);
  EXPECT_NEAR(f.intercept, 1, 1e-14);
  EXPECT_NEAR(f.correlation, 1, 1e-14);
}

TEST(Moments, DegenerateInputsAreNaN) {
  const std::vector<double> flat(10, 0.5);
  EXPECT_TRUE(std::isnan(skewness(flat.data(), flat.size())));
  EXPECT_TRUE(std::isnan(excess_kurtosis(flat.data(), flat.size())));
  EXPECT_TRUE(std::isnan(skewness(flat.data(), 2)));
  EXPECT_TRUE(std::isnan(fit_line(flat.data(), kY.data(), flat.size()).slope));
  EXPECT_TRUE(std::isnan(fit_line(kX.data(), flat.data(), flat.size()).correlation));
}

}  // namespace
}  // namespace tallyscope::stats
