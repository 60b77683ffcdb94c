// The number of successes among independent trials with their own probabilities (the
// Poisson-binomial law), as an exact probability table and a sampler that draws it with one
// uniform: the whole-percentage null draws each region's hit count so, rather than one Bernoulli
// per unit and replicate (293 million uniforms for Russia 2018's 97,699 stations, three targets and
// 1,000 replicates, 70% of the test's time).
//
// The table is the textbook recursion P_{i}(k) = P_{i-1}(k) (1 - p_i) + P_{i-1}(k - 1) p_i, kept
// on the window where the mass is: values whose probability falls below 1e-18 at either end are
// dropped as the recursion goes (at most 2e-18 per trial, so under 1e-14 of the mass for 1,000
// trials), which keeps the work near (trials) x (10 sd) instead of (trials)^2. Not in Boost.Math
// or Debian's libraries; the recursion is a few lines.
#pragma once

#include <cstdint>
#include <vector>

#include "stats/random.h"

namespace tallyscope::stats {

class PoissonBinomial {
 public:
  PoissonBinomial() = default;
  explicit PoissonBinomial(const std::vector<double>& p);

  // P(X = k); 0 outside the kept window.
  double pmf(int64_t k) const;
  int64_t lo() const { return lo_; }
  int64_t hi() const { return lo_ + static_cast<int64_t>(cdf_.size()) - 1; }
  // A draw by inversion of the table's distribution function (one uniform).
  int64_t operator()(Rng& rng) const;

 private:
  int64_t lo_ = 0;
  std::vector<double> pmf_{1.0};  // probability of lo_, lo_ + 1, ...
  std::vector<double> cdf_{1.0};  // their running sum, normalised to end at 1
};

}  // namespace tallyscope::stats
