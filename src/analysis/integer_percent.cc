#include "analysis/integer_percent.h"

namespace tallyscope {

IntegerPercentCount count_integer_percent(std::span<const int64_t> count, std::span<const int64_t> denom,
                                          std::span<const uint8_t> eligible) {
  IntegerPercentCount c;
  for (size_t i = 0; i < count.size(); ++i) {
    if (!eligible[i]) continue;
    ++c.eligible;
    c.integer += is_integer_percent(count[i], denom[i]);
  }
  return c;
}

}  // namespace tallyscope

#include <algorithm>
#include <cmath>

namespace tallyscope {

double integer_percent_probability(int64_t n, double p) {
  if (n <= 0) return 0;
  if (!(p > 0) || !(p < 1)) {
    const int64_t v = p >= 1 ? n : 0;
    return is_integer_percent(v, n) ? 1 : 0;
  }
  const double nd = static_cast<double>(n), mu = nd * p, sd = std::sqrt(nd * p * (1 - p));
  const int64_t lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(mu - 10 * sd - 2)));
  const int64_t hi = std::min<int64_t>(n, static_cast<int64_t>(std::ceil(mu + 10 * sd + 2)));
  const double lp = std::log(p), lq = std::log1p(-p), lnf = std::lgamma(nd + 1);
  double total = 0;
  // Whole percentages k whose hit interval [ceil((20 k n - n) / 2000), floor((20 k n + n) / 2000)]
  // meets [lo, hi].
  const int64_t k_lo = std::max<int64_t>(0, (100 * lo) / n - 1), k_hi = std::min<int64_t>(100, (100 * hi) / n + 1);
  for (int64_t k = k_lo; k <= k_hi; ++k) {
    const int64_t a = std::max(lo, (20 * k * n - n + 1999) / 2000), b = std::min(hi, (20 * k * n + n) / 2000);
    for (int64_t v = std::max<int64_t>(a, 0); v <= b; ++v) {
      if (!is_integer_percent(v, n)) continue;  // guards the interval's integer rounding
      const double vd = static_cast<double>(v);
      total += std::exp(lnf - std::lgamma(vd + 1) - std::lgamma(nd - vd + 1) + vd * lp + (nd - vd) * lq);
    }
  }
  return std::min(1.0, total);
}

}  // namespace tallyscope
