#include "stats/dip.h"

#include <vector>

#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

// Closed forms (Hartigan & Hartigan 1985): the dip of n distinct points equally spaced is the
// smallest possible, 1 / (2n); a two-point mass (half the sample at each of two values) has dip
// 1/4; a sample of one value has 1 / (2n) in R's convention.
TEST(Dip, ClosedForms) {
  std::vector<double> grid;
  for (int i = 0; i < 100; ++i) grid.push_back(i * 0.01);
  EXPECT_NEAR(dip(grid), 1.0 / 200, 1e-15);
  EXPECT_DOUBLE_EQ(dip({0, 0, 1, 1}), 0.25);
  std::vector<double> two(500, 3.0);
  two.insert(two.end(), 500, 7.0);
  EXPECT_DOUBLE_EQ(dip(two), 0.25);
  EXPECT_DOUBLE_EQ(dip({3, 3, 3, 3}), 0.125);
  EXPECT_DOUBLE_EQ(dip({5}), 0.5);
  EXPECT_EQ(dip({}), 0.0);
  // Invariant under increasing affine maps and the order of the input.
  EXPECT_DOUBLE_EQ(dip({0.1, 0.2, 0.25, 0.9, 0.95, 1.0, 1.1}), dip({1.1, 0.95, 2.5 * 0.1, 0.9, 0.2, 1.0, 0.1}));
}

// Reference: R 4.x, package diptest 0.76-0, dip(x) (default min.is.0 = FALSE), printed with
// sprintf("%.17g"). Inputs are short decimals, exactly what R read; the samples after the first
// three were drawn in R with set.seed(5) and rounded (see the report of issue 5).
TEST(Dip, MatchesRDiptest) {
  EXPECT_NEAR(dip({1, 2, 3, 4, 5}), 0.1, 1e-15);
  EXPECT_NEAR(dip({0.1, 0.2, 0.25, 0.9, 0.95, 1.0, 1.1}), 0.174107142857143, 1e-14);
  const std::vector<double> a = {-0.841, 1.384, -1.255, 0.07, 1.711, -0.603, -0.472, -0.635, -0.286, 0.138,
                                 1.228,  -0.802, -1.08, -0.158, -1.072, -0.139, -0.597, -2.184, 0.241, -0.259,
                                 0.901,  0.942, 1.468, 0.707, 0.819, -0.293, 1.419, 1.499, -0.657, -0.853,
                                 0.316,  1.11,  2.215, 1.217, 1.479, 0.952, -1.01, -2,    -1.762, -0.143};
  EXPECT_NEAR(dip(a), 0.061782661782661764, 1e-14);
  const std::vector<double> b = {0.378, 0.26,  0.296, 0.395, 0.277, 0.328, 0.256, 0.277, 0.264, 0.297,
                                 0.373, 0.309, 0.351, 0.27,  0.294, 0.254, 0.338, 0.294, 0.297, 0.312,
                                 0.243, 0.343, 0.271, 0.325, 0.262, 0.283, 0.195, 0.285, 0.236, 0.286,
                                 0.894, 0.893, 0.91,  0.901, 0.912, 0.895, 0.929, 0.904, 0.906, 0.883,
                                 0.915, 0.848, 0.929, 0.899, 0.92,  0.879, 0.972, 0.886, 0.898, 0.884};
  EXPECT_NEAR(dip(b), 0.16220973782771533, 1e-14);  // bimodal: 30 near 0.3, 20 near 0.9
  const std::vector<double> c = {0.82, 0.73, 0.14, 0.48, 0.71, 0.09, 0.82, 0.22, 0.84, 0.16, 0.65, 0.76,
                                 0.36, 0.93, 0.29, 0.35, 0.43, 0.61, 0.48, 0.67, 0.02, 0.13, 0.87, 0.7,
                                 0.75, 0.52, 0.58, 0.18, 0.48, 0.26, 0.81, 0.75, 0.41, 0.49, 0.02, 0.32,
                                 0.23, 0.11, 0.9,  0.02, 0.17, 0.44, 0.95, 0.24, 1,    0.8,  0.56, 0.81,
                                 0.09, 0.16, 0.79, 0.08, 0.06, 0.94, 0.68, 0.15, 0.52, 0.03, 0.42, 0.83};
  EXPECT_NEAR(dip(c), 0.051767676767676817, 1e-14);  // uniform on a 0.01 grid, many ties
}

}  // namespace
}  // namespace tallyscope::stats
