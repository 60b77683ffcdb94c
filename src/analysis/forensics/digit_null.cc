#include "analysis/forensics/digit_null.h"

#include <algorithm>
#include <cmath>

#include "stats/binomial_pmf.h"

namespace tallyscope {
namespace {

// Adds the classes of count v (of denominator n) with weight w, scoring exactly as DigitTally::add.
void add_count(DigitClasses& c, int64_t v, int64_t n, double w) {
  if (v >= kMinCountLastDigit) {
    const int64_t d1 = v % 10, d2 = (v / 10) % 10;
    const int64_t r = d1 == d2 ? 0 : (d1 - d2 == 1 || d2 - d1 == 1) ? 1 : 2;
    c.last_pair[static_cast<size_t>(3 * d1 + r)] += w;
  } else {
    c.last_pair[30] += w;
  }
  if (v >= kMinCountSecondDigit) {
    int64_t x = v;
    while (x >= 100) x /= 10;
    c.second[static_cast<size_t>(x % 10)] += w;
  } else {
    c.second[10] += w;
  }
  if (n >= kMinDenomPercentDigit && v > 0 && v < n) {
    const int64_t pct = (200 * v + n) / (2 * n);
    c.percent[pct % 5 == 0 ? 0 : 1] += w;
  } else {
    c.percent[2] += w;
  }
}

DigitClasses exact_classes(int64_t n, double p, bool screened) {
  DigitClasses c;
  stats::for_each_binomial_pmf(n, p, [&](int64_t v, double w) {
    if (!screened || digit_spread_ok(v, n)) add_count(c, v, n, w);
  });
  return c;
}

}  // namespace

DigitClasses digit_classes(int64_t n, double p, bool screened) {
  // Past the exact support (an sd in the thousands) the screen's bounds (an sd of 7) lie far in the
  // tails: the normal path leaves them out.
  return stats::binomial_range(n, p).exact ? exact_classes(n, p, screened) : digit_classes_normal(n, p);
}

DigitClasses digit_classes_normal(int64_t n, double p) {
  const stats::BinomialRange r = stats::binomial_range(n, p);
  if (!(r.sd > 0)) return exact_classes(n, p, false);  // a point mass
  DigitClasses c;
  const double lo = static_cast<double>(r.lo), hi = static_cast<double>(r.hi);
  auto mass = [&](double a, double b) { return stats::normal_binomial_mass(r, std::max(a, lo), std::min(b, hi)); };
  // The last two digits: with an sd in the thousands, v mod 100 is uniform to within
  // exp(-2 pi^2 sd^2 / 100^2).
  const double below_last = mass(lo, kMinCountLastDigit - 1);
  c.last_pair[30] = below_last;
  for (int64_t d1 = 0; d1 < 10; ++d1)
    for (int64_t d2 = 0; d2 < 10; ++d2) {
      const int64_t rel = d1 == d2 ? 0 : (d1 - d2 == 1 || d2 - d1 == 1) ? 1 : 2;
      c.last_pair[static_cast<size_t>(3 * d1 + rel)] += (mass(lo, hi) - below_last) / 100;
    }
  // The second significant digit is constant over runs of 10^(digits - 2) values.
  c.second[10] = mass(lo, kMinCountSecondDigit - 1);
  for (int64_t v = std::max(r.lo, kMinCountSecondDigit); v <= r.hi;) {
    int64_t step = 1;
    while (v / step >= 100) step *= 10;
    const int64_t end = v / step + 1 > r.hi / step ? r.hi : (v / step + 1) * step - 1;
    c.second[static_cast<size_t>((v / step) % 10)] += mass(static_cast<double>(v), static_cast<double>(end));
    v = end + 1;
  }
  // The whole percentage round(100 v / n) is k over v in [(2 k - 1) n / 200, (2 k + 1) n / 200).
  if (n < kMinDenomPercentDigit) {
    c.percent[2] = mass(lo, hi);
    return c;
  }
  const double nd = static_cast<double>(n);
  c.percent[2] = mass(0, 0) + mass(nd, nd);
  const int64_t k_lo = static_cast<int64_t>(std::floor(100 * lo / nd)), k_hi = static_cast<int64_t>(std::ceil(100 * hi / nd));
  for (int64_t k = std::max<int64_t>(0, k_lo - 1); k <= std::min<int64_t>(100, k_hi + 1); ++k) {
    const double a = std::max(1.0, std::ceil(static_cast<double>(2 * k - 1) * nd / 200));
    const double b = std::min(nd - 1, std::ceil(static_cast<double>(2 * k + 1) * nd / 200) - 1);
    c.percent[k % 5 == 0 ? 0 : 1] += mass(a, b);
  }
  return c;
}

}  // namespace tallyscope
