#include "stats/random.h"

#include <algorithm>
#include <cmath>

namespace tallyscope {

int64_t binomial(Rng& rng, int64_t n, double p) {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  const double dn = static_cast<double>(n);
  const double q = 1 - p;
  if (dn * p < 30) {
    // Inversion: walk the pmf from 0; the expected number of steps is about n*p.
    double u = rng.uniform();
    double f = std::exp(dn * std::log1p(-p));
    const double ratio = p / q;
    int64_t k = 0;
    while (u > f && k < n) {
      u -= f;
      f *= static_cast<double>(n - k) / static_cast<double>(k + 1) * ratio;
      ++k;
      if (f <= 0) break;  // rounding left a tail of mass below 1e-300
    }
    return k;
  }
  double x = std::floor(dn * p + std::sqrt(dn * p * q) * rng.normal() + 0.5);
  return static_cast<int64_t>(std::clamp(x, 0.0, dn));
}

}  // namespace tallyscope
