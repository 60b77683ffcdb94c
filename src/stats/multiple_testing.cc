#include "stats/multiple_testing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tallyscope::stats {

std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
  std::vector<double> q(p.size(), std::nan(""));
  std::vector<size_t> idx;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) idx.push_back(i);
  const double m = static_cast<double>(idx.size());
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  double running = 1;
  for (size_t r = idx.size(); r-- > 0;) {
    running = std::min(running, m * p[idx[r]] / static_cast<double>(r + 1));
    q[idx[r]] = std::min(1.0, running);
  }
  return q;
}

}  // namespace tallyscope::stats
