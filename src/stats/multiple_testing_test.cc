#include "stats/multiple_testing.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

// Reference: statsmodels 0.13 (Debian), run locally:
//   multipletests([0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.04, 0.9], method="fdr_bh")[1]
//   -> [0.04, 0.064, 0.064, 0.04, 0.5714285714285714, 0.26666666666666666, 0.064, 0.9]
TEST(ForensicsBH, MatchesStatsmodels) {
  auto q = benjamini_hochberg({0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.04, 0.9});
  const double want[] = {0.04, 0.064, 0.064, 0.04, 0.5714285714285714, 0.26666666666666666, 0.064, 0.9};
  ASSERT_EQ(q.size(), 8u);
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(q[i], want[i], 1e-12) << i;
}

TEST(ForensicsBH, NaNIsNotATest) {
  auto q = benjamini_hochberg({0.01, std::nan(""), 0.04});
  EXPECT_NEAR(q[0], 0.02, 1e-12);  // m = 2
  EXPECT_TRUE(std::isnan(q[1]));
  EXPECT_NEAR(q[2], 0.04, 1e-12);
  EXPECT_TRUE(benjamini_hochberg({}).empty());
}

}  // namespace
}  // namespace tallyscope::stats
