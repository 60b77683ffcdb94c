#include "stats/log_factorial.h"

#include <gtest/gtest.h>

namespace tallyscope::stats {
namespace {

// Reference: glibc's lgamma (closed form log Gamma(v + 1) = log v!).
TEST(LogFactorial, AgreesWithLgamma) {
  for (int64_t v : {0, 1, 2, 10, 255, 256, 257, 1000, 4096, 65535, 1000000, 123456789}) {
    const double want = std::lgamma(static_cast<double>(v) + 1.0);
    EXPECT_NEAR(log_factorial(v), want, 1e-15 * std::max(1.0, want)) << v;
  }
  double worst = 0;
  for (int64_t v = 200; v < 20000; ++v) {
    const double want = std::lgamma(static_cast<double>(v) + 1.0);
    worst = std::max(worst, std::abs(log_factorial(v) - want) / want);
  }
  EXPECT_LT(worst, 1e-15);
}

}  // namespace
}  // namespace tallyscope::stats
