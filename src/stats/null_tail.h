// The p-value of a statistic from its simulated null's mean and standard deviation, so that tails
// far below 1 / (replicates + 1) are resolved (Benjamini-Hochberg over hundreds of tests needs
// them). Sums and means over many independent units are asymptotically normal; right-skewed
// statistics (a chi-square quadratic form, Hartigan's dip) are matched by a scaled chi-square
// a * chi2(nu) with the same mean and variance (Satterthwaite). A degenerate null (sd 0, or a
// skewed one whose mean is not positive) falls back to `empirical`, the Monte Carlo rank p-value.
#pragma once

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

namespace tallyscope::stats {

inline double null_tail_p(double t, double mean, double sd, bool skewed, bool two_sided, double empirical) {
  if (!(sd > 0) || (skewed && !(mean > 0))) return empirical;
  if (skewed) {
    const double a = sd * sd / (2 * mean), nu = 2 * mean * mean / (sd * sd);
    boost::math::chi_squared_distribution<> d(nu);
    return boost::math::cdf(boost::math::complement(d, std::max(0.0, t / a)));
  }
  const double z = (t - mean) / sd;
  boost::math::normal_distribution<> n;
  if (two_sided) return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(n, std::fabs(z))));
  return boost::math::cdf(boost::math::complement(n, z));
}

}  // namespace tallyscope::stats
