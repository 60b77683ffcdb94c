#include "stats/random.h"

#include <algorithm>
#include <cmath>

namespace tallyscope {

Rng::Rng(uint64_t seed, uint64_t stream) : state_(seed ^ (0x9E3779B97F4A7C15ULL * (stream + 1))) { next(); }

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

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
