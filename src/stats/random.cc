#include "stats/random.h"

#include <algorithm>
#include <cmath>

namespace tallyscope::stats {

uint64_t Rng::below(uint64_t n) {
  __extension__ typedef unsigned __int128 u128;
  uint64_t x = next();
  u128 m = static_cast<u128>(x) * n;
  uint64_t l = static_cast<uint64_t>(m);
  if (l < n) {
    uint64_t t = -n % n;
    while (l < t) {
      x = next();
      m = static_cast<u128>(x) * n;
      l = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double Rng::normal() {
  double u1 = uniform(), u2 = uniform();
  if (u1 <= 0) u1 = 0x1.0p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

double Rng::gamma(double shape) {
  if (!(shape > 0)) return 0;
  if (shape < 1) {
    double u = uniform();
    if (u <= 0) u = 0x1.0p-53;
    return gamma(shape + 1) * std::pow(u, 1 / shape);
  }
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    double u = uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

}  // namespace tallyscope::stats

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
