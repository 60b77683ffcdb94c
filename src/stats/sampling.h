// Reproducible random numbers for Monte Carlo nulls: a SplitMix64 stream per task, seeded from
// (seed, stream), and an exact binomial sampler with its per-(n, p) setup precomputed so that a
// unit's count can be redrawn many times cheaply.
//
// Hand-written rather than <random>: the standard library's distributions are
// implementation-defined, and our output must be byte-identical across builds for a seed.
// Boost.Random's binomial is portable but recomputes its setup on every call with new parameters
// and is several times slower for our use (one (n, p) per unit, redrawn a thousand times).
#pragma once

#include <cmath>
#include <cstdint>

#include "stats/random.h"

namespace tallyscope::stats {

// Rng: stats/random.h.

// Binomial(n, p), exact: inversion when n * min(p, 1-p) < 10, else Hormann's BTRD
// (W. Hormann, "The generation of binomial random variates", J. Statist. Comput. Simul. 46, 1993,
// algorithm BTRD). Validated in random_test.cc against Boost.Math's binomial probabilities.
class Binomial {
 public:
  static constexpr int64_t kLogFactorialTable = 1 << 16;
  Binomial() = default;
  Binomial(int64_t n, double p);
  int64_t operator()(Rng& rng) const;
  int64_t n() const { return n_; }
  double p() const { return flip_ ? 1 - p_ : p_; }

 private:
  int64_t inversion(Rng& rng) const;
  int64_t btrd(Rng& rng) const;
  int64_t n_ = 0;
  double p_ = 0;  // <= 0.5
  bool flip_ = false;
  bool use_btrd_ = false;
  // inversion
  double q_n_ = 1, s_ = 0, a_ = 0;
  // BTRD
  double m_ = 0, r_ = 0, nr_ = 0, npq_ = 0, b_ = 0, a2_ = 0, c_ = 0, alpha_ = 0, vr_ = 0, urvr_ = 0, h_ = 0, nm_ = 0;
  // With n below kLogFactorialTable, the acceptance test uses a table of log k! instead of
  // Hormann's recursion and Stirling series (same test, exact up to rounding, several times faster).
  double log_r_ = 0, log_fm_ = 0;
  const double* log_fact_ = nullptr;
};

}  // namespace tallyscope::stats
