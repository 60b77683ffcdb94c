// Risk measurement: sequentially valid p-values for "the mean of a finite population of values in
// [0, u] is at most t" from draws in random order, without replacement (population size N) or
// with replacement (N = 0). The ALPHA supermartingale (Stark 2023, "ALPHA: Audit that learns from
// previously hand-audited ballots", Ann. Appl. Stat. 17(1)) with SHANGRLA's fixed-alternative
// estimator, and the fixed-bet betting martingale (Waudby-Smith & Ramdas 2023; SHANGRLA's
// NonnegMean.betting_mart with fixed_bet). An assertion is confirmed when its p-value is at most
// the risk limit; the audit is risk-limiting because each martingale has expectation at most 1
// under the null (Ville's inequality), whatever the stopping rule.
#pragma once

#include <cstdint>
#include <vector>

namespace tallyscope::audit {

struct MeanTest {
  double t = 0.5;   // null: population mean <= t
  double u = 1;     // upper bound on the population's values
  int64_t N = 0;    // population size (draws without replacement); 0: with replacement
};

// The null mean of the values not yet drawn, before draw j (0-based), given the sum of the
// first j draws: (N t - S) / (N - j), or t with replacement.
double null_mean_remaining(const MeanTest& test, double sum_before, size_t j);

// ALPHA with the fixed alternative eta in (t, u] for the population mean: before draw j the bet's
// alternative is (N eta - S) / (N - j) (eta with replacement), kept within [0, u].
// Returns p_j = min(1, 1 / T_j) after each draw (not running minimum): the audit's p-value after
// n draws is the minimum of the first n.
std::vector<double> alpha_p_history(const MeanTest& test, double eta, const std::vector<double>& x);

// Betting martingale T_j = prod (1 + lambda (x_i - m_i)), lambda in [0, 1 / t].
std::vector<double> betting_p_history(const MeanTest& test, double lambda, const std::vector<double>& x);

// The running minimum: the p-value after each number of draws.
std::vector<double> running_min(std::vector<double> p);

}  // namespace tallyscope::audit
