// Integer percentages (Kobak, Shpilkin & Pshenichnikov, "Integer percentages as electoral
// falsification fingerprints", Annals of Applied Statistics 10(1), 2016): when protocols are
// written to a target, turnout and the leader's result pile up at whole percentages. The
// statistic counts units whose percentage lies within 0.05 points of a whole number (the paper's
// 0.1-point bins centred on integers); the battery's null redraws each unit's count as
// Binomial(denominator, its own observed share), as the paper does, and compares.
// Inclusion as in the paper's code (dkobak/elections, function `anomaly`): a denominator of at
// least 100 and a share of at most 0.99 (the paper applies both to turnout and result jointly; we
// apply each to its own target).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tallyscope {

struct IntegerPercentRule {
  int64_t min_denom = 100;
  double max_share = 0.99;
};

// Whether 100 * count / denom is within 0.05 of a whole number, decided exactly in integers:
// |100 v / n - k| <= 1/20  <=>  |2000 v - 20 k n| <= n, with k the nearest whole percentage.
inline bool is_integer_percent(int64_t v, int64_t n) {
  const int64_t k = (200 * v + n) / (2 * n);
  const int64_t d = 2000 * v - 20 * k * n;
  return (d < 0 ? -d : d) <= n;
}

// Whether a unit enters the test.
inline bool integer_percent_eligible(int64_t v, int64_t n, const IntegerPercentRule& r = {}) {
  return n >= r.min_denom && n > 0 && v >= 0 && static_cast<double>(v) <= r.max_share * static_cast<double>(n);
}

struct IntegerPercentCount {
  size_t eligible = 0;
  size_t integer = 0;  // eligible units at a whole percentage
};

// Eligibility is decided on `eligible_from` (the observed counts) so that a replicate is scored on
// the same units as the data; `count` is the observed or the redrawn count.
IntegerPercentCount count_integer_percent(std::span<const int64_t> count, std::span<const int64_t> denom,
                                          std::span<const uint8_t> eligible);

}  // namespace tallyscope

namespace tallyscope {

// The probability that Binomial(n, p) lands within 0.05 points of a whole percentage of n: the
// unit's chance of an integer percentage under the null. The null count of integer-percentage units
// is the sum of independent Bernoulli(P_i) (Poisson-binomial): its mean and variance are exact.
// Past stats::kMaxExactBinomialSupport values (binomial_pmf.h: tens of millions of votes in one
// unit) each whole percentage's mass comes from the normal approximation instead of value by value.
double integer_percent_probability(int64_t n, double p);

// The chart of the test (the paper's Figure 1): eligible units by percentage in 0.1-point bins
// centred on multiples of 0.1 (bin b holds 100 v / n rounded half up to b / 10), against the null's
// exact mean and sd per bin: each unit lands in a bin with its binomial probability at its own
// share, so a bin's null count is Poisson-binomial. Whole-percentage bins standing above the band
// are the test's peaks.
struct PercentHistogram {
  static constexpr size_t kBins = 1001;  // 0.0, 0.1, ..., 100.0
  std::string target;
  size_t units = 0;
  std::vector<uint32_t> observed;
  std::vector<double> null_mean, null_sd;
};
PercentHistogram percent_histogram(std::span<const int64_t> count, std::span<const int64_t> denom,
                                   std::span<const uint8_t> eligible, const std::string& target);
// Bin of count v of n: round half up of 1000 v / n.
inline size_t percent_bin(int64_t v, int64_t n) { return static_cast<size_t>((2000 * v + n) / (2 * n)); }

}  // namespace tallyscope
