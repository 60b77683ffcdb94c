#include "analysis/forensics/p_display.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

TEST(PDisplay, BelowTheResolutionIsABoundNeverZero) {
  EXPECT_DOUBLE_EQ(p_resolution(999), 0.001);
  EXPECT_EQ(p_display(0.0, 1000), "< 0.001");   // 1/1001 rounds up to 0.001
  EXPECT_EQ(p_display(1e-30, 1000), "< 0.001");
  EXPECT_EQ(p_display(0.0, 200), "< 0.005");    // 1/201
  EXPECT_EQ(p_display(0.0, 100), "< 0.01");     // 1/101
  EXPECT_EQ(p_display(0.0, 19), "< 0.05");      // exactly 1/20
  EXPECT_TRUE(p_below_resolution(0.0009, 1000));
  EXPECT_FALSE(p_below_resolution(0.001, 1000));
  EXPECT_FALSE(p_below_resolution(std::nan(""), 1000));
  EXPECT_EQ(p_display(0.3, 0), "0.3000");  // closed form (replicates 0): no resolution
  EXPECT_EQ(p_display(1e-9, 0), "1.0e-09");
}

TEST(PDisplay, ResolvedValuesAreShownAsNumbers) {
  EXPECT_EQ(p_display(0.0123, 1000), "0.0123");
  EXPECT_EQ(p_display(0.5, 1000), "0.5000");
  EXPECT_EQ(p_display(5e-5, 100000), "5.0e-05");
  EXPECT_EQ(p_display(std::nan(""), 1000), "");
  EXPECT_NE(p_method(1000).find("1/1001"), std::string::npos);
}

}  // namespace
}  // namespace tallyscope
