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
double integer_percent_probability(int64_t n, double p);

}  // namespace tallyscope
