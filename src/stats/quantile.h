// The q-quantile of a sample by linear interpolation between order statistics (Hyndman & Fan type
// 7, the default of R's quantile() and numpy.quantile), non-finite values left out; NaN when none
// is left. O(n): two partial selections, no full sort. One definition for every interval the
// analyses report (projection draws, bootstrap refits).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace tallyscope::stats {

inline double quantile(std::vector<double> x, double q) {
  x.erase(std::remove_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); }), x.end());
  if (x.empty()) return std::nan("");
  const double pos = q * static_cast<double>(x.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  std::nth_element(x.begin(), x.begin() + static_cast<long>(lo), x.end());
  const double a = x[lo];
  if (lo + 1 >= x.size()) return a;
  const double b = *std::min_element(x.begin() + static_cast<long>(lo) + 1, x.end());
  return a + (b - a) * (pos - static_cast<double>(lo));
}

}  // namespace tallyscope::stats
