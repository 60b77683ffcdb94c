#include "analysis/forensics/digits.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

// Benford's second-digit probabilities and mean: Nigrini (2012, "Benford's Law", Table 5.1) and
// Mebane's 2BL papers give P(0) = 0.11968, P(9) = 0.08500 and the mean 4.187.
TEST(ForensicsDigits, BenfordSecondDigitClosedForm) {
  EXPECT_NEAR(benford_second_digit_probability(0), 0.11968, 5e-6);
  EXPECT_NEAR(benford_second_digit_probability(9), 0.08500, 5e-6);
  double sum = 0;
  for (int d = 0; d <= 9; ++d) sum += benford_second_digit_probability(d);
  EXPECT_NEAR(sum, 1, 1e-12);
  EXPECT_NEAR(benford_second_digit_mean(), 4.187, 5e-4);
}

// Worked by hand: counts 5 (too small for any digit test), 10, 123, 455, 1990, 76.
//   second digits (counts >= 10): 0, 2, 5, 9, 6 -> mean 22/5 = 4.4
//   last digits (counts >= 10): 0, 3, 5, 0, 6 -> mean 14/5 = 2.8; 0 or 5: 3/5
//   last two digits: 10, 23, 55, 90, 76 -> repeated 1/5 (55); adjacent 3/5 (10, 23, 76)
//   chi-square against uniform, expected 0.5 each: digits 0:2, 3:1, 5:1, 6:1, others 0
//     = (1.5^2 + 3 * 0.5^2 + 6 * 0.5^2) / 0.5 = (2.25 + 0.75 + 1.5) / 0.5 = 9
//   percentages (denominator >= 100, 0 < count < denominator): 10/100 = 10% (0/5), 123/200 = 61.5%
//     -> 62% (round half up), 455/1000 = 45.5% -> 46%, 76/400 = 19%; 5/20 and 1990/2000 (99.5%,
//     -> 100%, ends in 0) -> 1990/2000 qualifies. So 10, 62, 46, 19, 100: 0/5 share 2/5.
TEST(ForensicsDigits, WorkedExample) {
  std::vector<int64_t> v = {5, 10, 123, 455, 1990, 76};
  std::vector<int64_t> n = {20, 100, 200, 1000, 2000, 400};
  DigitStatistics s = digit_statistics(v, n);
  EXPECT_EQ(s.n_second, 5u);
  EXPECT_EQ(s.n_last, 5u);
  EXPECT_EQ(s.n_percent, 5u);
  EXPECT_DOUBLE_EQ(s.second_digit_mean, 4.4);
  EXPECT_DOUBLE_EQ(s.last_digit_mean, 2.8);
  EXPECT_DOUBLE_EQ(s.last_0_5, 0.6);
  EXPECT_DOUBLE_EQ(s.pairs_repeated, 0.2);
  EXPECT_DOUBLE_EQ(s.pairs_adjacent, 0.6);
  EXPECT_DOUBLE_EQ(s.last_digit_chi2, 9);
  EXPECT_DOUBLE_EQ(s.percent_0_5, 0.4);
}

TEST(ForensicsDigits, NothingQualifies) {
  std::vector<int64_t> v = {0, 3, 9}, n = {5, 50, 99};
  DigitStatistics s = digit_statistics(v, n);
  EXPECT_EQ(s.n_last, 0u);
  EXPECT_TRUE(std::isnan(s.second_digit_mean));
  EXPECT_TRUE(std::isnan(s.last_digit_chi2));
  EXPECT_TRUE(std::isnan(s.percent_0_5));
}

}  // namespace
}  // namespace tallyscope
