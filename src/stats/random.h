// Seeded random numbers that give the same values on every build and thread count: one SplitMix64
// stream per (seed, stream index), used by every random procedure (simulation, Monte Carlo nulls,
// projection draws, bootstraps), and the simulator's approximate binomial.
// Hand-written rather than <random> because the standard distributions are implementation-defined
// (libstdc++ and libc++ draw different binomials from the same engine), and output must be
// byte-identical for the same seed wherever it is run. Boost.Random's engines are portable, but its
// distributions recompute their set-up on every call, which the nulls cannot afford.
#pragma once

#include <cstdint>

namespace tallyscope::stats {

class Rng {
 public:
  // Stream `stream` of `seed`: tasks take the stream of their index, never of their thread.
  Rng(uint64_t seed, uint64_t stream) : state_(seed ^ (0x9E3779B97F4A7C15ULL * (stream + 1))) { next(); }
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n) without modulo bias (Lemire's method); n > 0.
  uint64_t below(uint64_t n);
  // Standard normal (Box-Muller, one value per call).
  double normal();
  // Gamma(shape, 1) (Marsaglia & Tsang 2000; shape < 1 by the boost U^(1/shape)).
  double gamma(double shape);
  double beta(double a, double b) {
    double x = gamma(a), y = gamma(b);
    return x + y > 0 ? x / (x + y) : 0.5;
  }

 private:
  uint64_t state_;
};

}  // namespace tallyscope::stats

namespace tallyscope {

using stats::Rng;

// Binomial(n, p) for n >= 0 and p in [0, 1], for the simulator. Exact (inversion of the CDF) when
// the smaller of n*p and n*(1-p) is below 30; otherwise the normal approximation with continuity
// correction, clamped to [0, n] (its error in any probability is O(1/sqrt(npq)), immaterial for
// synthetic tally sheets). The Monte Carlo nulls use the exact stats::Binomial (sampling.h).
int64_t binomial(Rng& rng, int64_t n, double p);

}  // namespace tallyscope
