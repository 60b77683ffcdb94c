#include "analysis/forensics/integer_percent.h"

#include <algorithm>
#include <cmath>

#include "stats/binomial_pmf.h"
#include "stats/log_factorial.h"

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


double integer_percent_probability(int64_t n, double p) {
  if (n <= 0) return 0;
  if (!(p > 0) || !(p < 1)) {
    const int64_t v = p >= 1 ? n : 0;
    return is_integer_percent(v, n) ? 1 : 0;
  }
  const stats::BinomialRange r = stats::binomial_range(n, p);
  const int64_t lo = r.lo, hi = r.hi;
  const double nd = static_cast<double>(n), lp = std::log(p), lq = std::log1p(-p), lnf = stats::log_factorial(n);
  double total = 0;
  // Whole percentages k whose hit interval [ceil((20 k n - n) / 2000), floor((20 k n + n) / 2000)]
  // meets [lo, hi] (in 128 bits: 20 k n passes 2^63 for n over 4.6e15).
  __extension__ typedef __int128 Wide;
  const auto k_lo = std::max<int64_t>(0, static_cast<int64_t>(Wide{100} * lo / n) - 1);
  const auto k_hi = std::min<int64_t>(100, static_cast<int64_t>(Wide{100} * hi / n) + 1);
  const bool narrow = n < (int64_t{1} << 50);  // then 2001 n < 2^61: 64-bit arithmetic suffices
  for (int64_t k = k_lo; k <= k_hi; ++k) {
    const Wide wn = n;
    const Wide a = std::max<Wide>(lo, narrow ? (20 * k * n - n + 1999) / 2000 : (20 * k * wn - wn + 1999) / 2000);
    const Wide b = std::min<Wide>(hi, narrow ? (20 * k * n + n) / 2000 : (20 * k * wn + wn) / 2000);
    if (b < a) continue;
    if (!r.exact) {  // past the exact support: the interval's mass under the normal approximation
      total += stats::normal_binomial_mass(r, static_cast<double>(a), static_cast<double>(b));
      continue;
    }
    for (auto v = static_cast<int64_t>(std::max<Wide>(a, 0)); v <= static_cast<int64_t>(b); ++v) {
      if (!is_integer_percent(v, n)) continue;  // guards the interval's integer rounding
      const double vd = static_cast<double>(v);
      total += std::exp(lnf - stats::log_factorial(v) - stats::log_factorial(n - v) + vd * lp + (nd - vd) * lq);
    }
  }
  return std::min(1.0, total);
}

namespace {
constexpr int64_t kMaxExactDenominator = 1 << 20;
}  // namespace

PercentHistogram percent_histogram(std::span<const int64_t> count, std::span<const int64_t> denom,
                                   std::span<const uint8_t> eligible, const std::string& target) {
  PercentHistogram h;
  h.target = target;
  h.observed.assign(PercentHistogram::kBins, 0);
  h.null_mean.assign(PercentHistogram::kBins, 0);
  std::vector<double> var(PercentHistogram::kBins, 0), unit(PercentHistogram::kBins, 0);
  for (size_t i = 0; i < count.size(); ++i) {
    if (!eligible[i] || denom[i] <= 0 || count[i] < 0 || count[i] > denom[i]) continue;
    const int64_t n = denom[i];
    ++h.units;
    ++h.observed[percent_bin(count[i], n)];
    // The unit's probability of each bin (several counts share a bin when n > 1000).
    size_t lo = PercentHistogram::kBins, hi = 0;
    const double p = static_cast<double>(count[i]) / static_cast<double>(n);
    if (n <= kMaxExactDenominator) {
      stats::for_each_binomial_pmf(n, p, [&](int64_t v, double w) {
        const size_t b = percent_bin(v, n);
        unit[b] += w;
        lo = std::min(lo, b);
        hi = std::max(hi, b);
      });
    } else {
      // A denominator in the millions: its binomial sd (under sqrt(n) / 2) is a fraction of a bin
      // (n / 1000 counts wide), so the normal approximation of the bins' mass is exact to
      // O(1 / sd); summing millions of exact terms instead would gain nothing visible.
      const double nd = static_cast<double>(n), mu = nd * p, sd = std::sqrt(nd * p * (1 - p));
      auto cdf = [&](double x) { return sd > 0 ? 0.5 * std::erfc(-(x - mu) / (sd * std::sqrt(2.0))) : (x >= mu ? 1.0 : 0.0); };
      const size_t b0 = percent_bin(static_cast<int64_t>(std::max(0.0, mu - 10 * sd)), n);
      const size_t b1 = percent_bin(static_cast<int64_t>(std::min(nd, mu + 10 * sd)), n);
      for (size_t b = b0; b <= b1 && b < PercentHistogram::kBins; ++b) {
        // Counts in bin b: 1000 v / n in [b - 0.5, b + 0.5), i.e. v in [(b - 0.5) n / 1000, (b + 0.5) n / 1000).
        const double a = (static_cast<double>(b) - 0.5) * nd / 1000, z = (static_cast<double>(b) + 0.5) * nd / 1000;
        unit[b] += cdf(z - 0.5) - cdf(a - 0.5);
        lo = std::min(lo, b);
        hi = std::max(hi, b);
      }
    }
    for (size_t b = lo; b <= hi && b < PercentHistogram::kBins; ++b) {
      h.null_mean[b] += unit[b];
      var[b] += unit[b] * (1 - unit[b]);
      unit[b] = 0;
    }
  }
  h.null_sd.resize(PercentHistogram::kBins);
  for (size_t b = 0; b < PercentHistogram::kBins; ++b) h.null_sd[b] = std::sqrt(var[b]);
  return h;
}

}  // namespace tallyscope
