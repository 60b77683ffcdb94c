#include "analysis/forensics/digit_null.h"

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

}  // namespace

DigitClasses digit_classes(int64_t n, double p) {
  DigitClasses c;
  stats::for_each_binomial_pmf(n, p, [&](int64_t v, double w) { add_count(c, v, n, w); });
  return c;
}

}  // namespace tallyscope
