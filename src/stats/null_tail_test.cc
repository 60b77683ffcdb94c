#include "stats/null_tail.h"

#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

// References: the standard normal's upper tail at 3 (0.0013499, any table); Student t with 199
// degrees of freedom: its two-sided 5% point is 1.971957 (tables of t quantiles), reached here at
// sd * sqrt(1 + 1/200) from the mean, the prediction law of a new draw from a sample of 200.
TEST(NullTail, ExactMomentsNormalEstimatedMomentsPredictiveT) {
  EXPECT_NEAR(null_tail_p(3.0, 0, 1, false, false, 0.5, kExactMoments), 0.0013499, 1e-7);
  const double t = 10 + 2 * 1.971957 * std::sqrt(1 + 1.0 / 200);
  EXPECT_NEAR(null_tail_p(t, 10, 2, false, true, 0.5, 200), 0.05, 1e-6);
  // Fewer replicates than the floor: the Monte Carlo rank p-value, not an extrapolated tail.
  EXPECT_EQ(null_tail_p(100.0, 0, 1, false, false, 1.0 / 21, 20), 1.0 / 21);
  EXPECT_EQ(null_tail_p(100.0, 0, 1, false, false, 1.0 / 200, kMinReplicatesForTails - 1), 1.0 / 200);
  // Estimated moments never give a smaller p than exact ones at the same z.
  for (int R : {200, 1000, 100000})
    EXPECT_GT(null_tail_p(4.0, 0, 1, false, false, 0.5, R), null_tail_p(4.0, 0, 1, false, false, 0.5, kExactMoments));
  // Degenerate nulls: the rank p-value.
  EXPECT_EQ(null_tail_p(1.0, 0, 0, false, false, 0.25, 1000), 0.25);
  EXPECT_EQ(null_tail_p(1.0, -1, 1, true, false, 0.25, 1000), 0.25);
  // The scaled chi-square of mean 4 and sd sqrt(8) (a plain chi2(4); exact moments) at 9.4877: 5%.
  EXPECT_NEAR(null_tail_p(9.4877, 4, std::sqrt(8.0), true, false, 0.5, kExactMoments), 0.05, 1e-5);
}

}  // namespace
}  // namespace tallyscope::stats
