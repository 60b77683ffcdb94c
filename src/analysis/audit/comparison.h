// Batch-level comparison audit with the tally sheets as batches (SHANGRLA's comparison assorter,
// Stark 2020 section 3.2, applied to batches as in Stark 2023 "Overstatement-net-equivalent
// risk-limiting audit: ONEAudit", with sheets drawn uniformly without replacement).
//
// For an assertion with assorter A and sheet i with reported assorter total R_i over its b_i
// cards, the overstatement is w_i = R_i - T_i (T_i the true total). With M sheets and N = sum b_i
// cards, the assertion (mean of A over the cards > 1/2) holds iff the mean over the sheets of
// d_i = w_i M / N is below v / 2 (v the reported margin). The sheet's comparison assorter
//   x_i = (c - d_i) / (2 c - v),   c = max_i R_i M / N  (the largest possible d_i: T_i = 0),
// lies in [0, x_max], x_max = (c - min_i (R_i - u b_i) M / N) / (2 c - v) (T_i = u b_i), and has
// mean > 1/2 iff the assertion holds. With one card per sheet it is SHANGRLA's ballot-level
// overstatement assorter (1 - w / u) / (2 - v / u).
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/audit/assertions.h"
#include "analysis/audit/risk.h"

namespace tallyscope::audit {

struct BatchComparison {
  int64_t sheets = 0;  // M
  double cards = 0;    // N
  double margin = 0;   // v
  double c = 0;        // the largest scaled overstatement
  double x_max = 0;    // the comparison assorter's upper bound
  double no_error = 0; // x when a sheet has no discrepancy: c / (2 c - v)

  // x_i for a sheet's overstatement w (card units: reported minus true assorter total).
  double value(double overstatement) const;
  MeanTest test() const { return {0.5, x_max, sheets}; }
};

// `reported` R_i and `cards` b_i per sheet; `margin` the assertion's reported margin v over sum b_i.
BatchComparison make_batch_comparison(const std::vector<double>& reported, const std::vector<int64_t>& cards,
                                      double assorter_u, double margin);

// Sheets to draw until ALPHA (alternative `eta`; 0: the no-error value) confirms at `risk_limit`
// when no drawn sheet has a discrepancy; -1 when not within all the sheets.
int64_t sheets_needed_no_errors(const BatchComparison& bc, double risk_limit, double eta = 0);

struct SampleSizeSimulation {
  std::vector<int64_t> needed;  // per replicate, sorted; M + 1 when not confirmed before a full count
  int64_t quantile(double q) const;
  double mean() const;
};

// Replicates of the sheets needed when each drawn sheet, independently with probability `rate`,
// overstates the assertion by `overstatement` card units (e.g. one vote moved from the winner to
// the loser is 1 / (2 l) * 2 for a pairwise assertion). Seeded: std::mt19937_64(seed), one
// stream in order, so the result does not depend on threads.
SampleSizeSimulation simulate_sheets_needed(const BatchComparison& bc, double risk_limit, double rate,
                                            double overstatement, int replicates, uint64_t seed, double eta = 0);

}  // namespace tallyscope::audit
