// The binomial probabilities P(X = v), X ~ Binomial(n, p), over n p +- 10 sd (+-2), where all but
// ~1e-23 of the mass lies: the value at the mode from log-gamma, then outward by the ratio
// P(v + 1) / P(v) = (n - v) / (v + 1) * p / (1 - p), a few hundred products and no further lgamma.
// p outside (0, 1) is a point mass at 0 or n. Used to sum a unit's exact null probability into
// classes (digit_null.h) and into percentage bins (integer_percent.h).
//
// That range grows as the count's square root: a count near 10^12 spans ten million values, and
// 400 such units took 64 s. Past kMaxExactBinomialSupport values (an sd over ~3,300, i.e. tens of
// millions of votes in one unit) callers instead sum the normal approximation (with continuity
// correction) over runs of values that fall in one class; its error there (Berry-Esseen,
// O(1 / sd)) is under 1e-4 of a unit's probability.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace tallyscope::stats {

inline constexpr int64_t kMaxExactBinomialSupport = 1 << 16;

// The range [lo, hi] summed, and whether it is small enough to sum value by value.
struct BinomialRange {
  int64_t lo = 0, hi = 0;
  double mu = 0, sd = 0;
  bool exact = true;
};

inline BinomialRange binomial_range(int64_t n, double p) {
  BinomialRange r;
  if (n <= 0 || !(p > 0) || !(p < 1)) return r;
  const double nd = static_cast<double>(n);
  r.mu = nd * p;
  r.sd = std::sqrt(nd * p * (1 - p));
  r.lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(r.mu - 10 * r.sd - 2)));
  r.hi = std::min<int64_t>(n, static_cast<int64_t>(std::ceil(r.mu + 10 * r.sd + 2)));
  r.exact = r.hi - r.lo <= kMaxExactBinomialSupport;
  return r;
}

// P(a <= X <= b) for whole a <= b, under the normal approximation of r (continuity corrected).
inline double normal_binomial_mass(const BinomialRange& r, double a, double b) {
  if (b < a) return 0;
  auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - r.mu) / (r.sd * std::sqrt(2.0))); };
  return std::max(0.0, cdf(b + 0.5) - cdf(a - 0.5));
}

// Calls f(v, P(X = v)) for every v in the range, in no particular order.
template <class F>
void for_each_binomial_pmf(int64_t n, double p, F&& f) {
  if (n <= 0) {
    f(int64_t{0}, 1.0);
    return;
  }
  if (!(p > 0) || !(p < 1)) {
    f(p >= 1 ? n : int64_t{0}, 1.0);
    return;
  }
  const double nd = static_cast<double>(n), sd = std::sqrt(nd * p * (1 - p));
  const int64_t mode = std::min<int64_t>(n, static_cast<int64_t>(std::floor((nd + 1) * p)));
  const int64_t lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(nd * p - 10 * sd - 2)));
  const int64_t hi = std::min<int64_t>(n, static_cast<int64_t>(std::ceil(nd * p + 10 * sd + 2)));
  const double md = static_cast<double>(mode);
  const double at_mode = std::exp(std::lgamma(nd + 1) - std::lgamma(md + 1) - std::lgamma(nd - md + 1) +
                                  md * std::log(p) + (nd - md) * std::log1p(-p));
  const double odds = p / (1 - p);
  double w = at_mode;
  f(mode, w);
  for (int64_t v = mode; v < hi; ++v) {
    w *= static_cast<double>(n - v) / static_cast<double>(v + 1) * odds;
    f(v + 1, w);
  }
  w = at_mode;
  for (int64_t v = mode; v > lo; --v) {
    w *= static_cast<double>(v) / static_cast<double>(n - v + 1) / odds;
    f(v - 1, w);
  }
}

}  // namespace tallyscope::stats
