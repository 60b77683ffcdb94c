#include "analysis/forensics/digits.h"

#include <cmath>

namespace tallyscope {

void DigitTally::merge(const DigitTally& o) {
  n_second += o.n_second;
  n_last += o.n_last;
  n_percent += o.n_percent;
  sum_second += o.sum_second;
  sum_last += o.sum_last;
  for (int d = 0; d < 10; ++d) last[d] += o.last[d];
  repeated += o.repeated;
  adjacent += o.adjacent;
  percent_0_5 += o.percent_0_5;
}

DigitStatistics DigitTally::statistics() const {
  DigitStatistics s;
  s.n_second = n_second;
  s.n_last = n_last;
  s.n_percent = n_percent;
  const double nan = std::nan("");
  const double nl = static_cast<double>(n_last);
  s.second_digit_mean = n_second ? static_cast<double>(sum_second) / static_cast<double>(n_second) : nan;
  s.last_digit_mean = n_last ? static_cast<double>(sum_last) / nl : nan;
  if (n_last) {
    double chi2 = 0, e = nl / 10;
    for (size_t d : last) chi2 += (static_cast<double>(d) - e) * (static_cast<double>(d) - e) / e;
    s.last_digit_chi2 = chi2;
    s.last_0_5 = static_cast<double>(last[0] + last[5]) / nl;
    s.pairs_repeated = static_cast<double>(repeated) / nl;
    s.pairs_adjacent = static_cast<double>(adjacent) / nl;
  } else {
    s.last_digit_chi2 = s.last_0_5 = s.pairs_repeated = s.pairs_adjacent = nan;
  }
  s.percent_0_5 = n_percent ? static_cast<double>(percent_0_5) / static_cast<double>(n_percent) : nan;
  return s;
}

DigitStatistics digit_statistics(std::span<const int64_t> count, std::span<const int64_t> denom) {
  DigitTally t;
  for (size_t i = 0; i < count.size(); ++i) t.add(count[i], denom[i]);
  return t.statistics();
}

double benford_second_digit_probability(int d) {
  double p = 0;
  for (int k = 1; k <= 9; ++k) p += std::log10(1 + 1.0 / (10 * k + d));
  return p;
}

double benford_second_digit_mean() {
  double m = 0;
  for (int d = 0; d <= 9; ++d) m += d * benford_second_digit_probability(d);
  return m;
}

}  // namespace tallyscope
