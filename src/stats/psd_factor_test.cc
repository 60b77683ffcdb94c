#include "stats/psd_factor.h"

#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

// L L' reproduces a positive definite matrix; a matrix with a negative eigenvalue becomes its
// nearest PSD matrix, whose closed form for [[1, 2], [2, 1]] (eigenvalues 3 and -1, eigenvectors
// (1, 1) and (1, -1) over sqrt 2) is 1.5 * [[1, 1], [1, 1]].
TEST(PsdFactor, ReproducesAndClampsToTheNearestPsdMatrix) {
  auto product = [](const std::vector<double>& L, size_t D) {
    std::vector<double> p(D * D, 0);
    for (size_t i = 0; i < D; ++i)
      for (size_t j = 0; j < D; ++j)
        for (size_t k = 0; k < D; ++k) p[i * D + j] += L[i * D + k] * L[j * D + k];
    return p;
  };
  const std::vector<double> pd = {4, 1, 0.5, 1, 3, -0.2, 0.5, -0.2, 2};
  auto p = product(psd_factor(pd, 3), 3);
  for (size_t i = 0; i < 9; ++i) EXPECT_NEAR(p[i], pd[i], 1e-12);
  auto q = product(psd_factor({1, 2, 2, 1}, 2), 2);
  for (double v : q) EXPECT_NEAR(v, 1.5, 1e-12);
  auto z = product(psd_factor({0, 0, 0, 0}, 2), 2);
  for (double v : z) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace tallyscope::stats
