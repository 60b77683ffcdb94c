// Sample skewness and excess kurtosis, the bias-adjusted estimators G1 and G2 (Joanes & Gill,
// "Comparing measures of sample skewness and kurtosis", The Statistician 47, 1998), the same as
// scipy.stats.skew(x, bias=False) and scipy.stats.kurtosis(x, fisher=True, bias=False), against
// which moments_test.cc validates them. Also the OLS slope and Pearson correlation of y on x.
#pragma once

#include <cstddef>

namespace tallyscope::stats {

// G1 = sqrt(n (n-1)) / (n-2) * m3 / m2^1.5 with m_k the central moments (divisor n). NaN for
// n < 3 or a constant sample.
double skewness(const double* x, size_t n);
// G2 = (n-1) / ((n-2)(n-3)) * ((n+1) m4 / m2^2 - 3 (n-1)). NaN for n < 4 or a constant sample.
double excess_kurtosis(const double* x, size_t n);

struct LineFit {
  double slope = 0, intercept = 0, correlation = 0;  // NaN when x (or, for r, y) is constant
};
// Unweighted least-squares line of y on x, and Pearson's r (two passes, centred sums).
LineFit fit_line(const double* x, const double* y, size_t n);

}  // namespace tallyscope::stats
