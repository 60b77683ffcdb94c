// Seeded random numbers that give the same values on every build and thread count: a SplitMix64
// stream per (seed, stream index), and the few distributions the simulator needs.
// Hand-written rather than <random> because the standard distributions are implementation-defined
// (libstdc++ and libc++ draw different binomials from the same engine), and a simulated election
// must be byte-identical for the same seed wherever it is run.
#pragma once

#include <cstdint>

namespace tallyscope {

class Rng {
 public:
  // Stream `stream` of `seed`: tasks take the stream of their index, never of their thread.
  Rng(uint64_t seed, uint64_t stream);
  uint64_t next();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [0, n) without modulo bias (Lemire's method); n > 0.
  uint64_t below(uint64_t n);
  // Standard normal (Box-Muller, one value per call).
  double normal();

 private:
  uint64_t state_;
};

// Binomial(n, p) for n >= 0 and p in [0, 1]. Exact (inversion of the CDF) when the smaller of
// n*p and n*(1-p) is below 30; otherwise the normal approximation with continuity correction,
// clamped to [0, n] (its error in any probability is O(1/sqrt(npq)), immaterial for synthetic
// tally sheets; an exact sampler such as BTPE would cost far more code for no visible gain).
int64_t binomial(Rng& rng, int64_t n, double p);

}  // namespace tallyscope
