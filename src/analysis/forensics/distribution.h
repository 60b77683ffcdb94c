// Distribution tests of the forensic battery (issue 5): for turnout and each tested choice, on the
// whole count and per region, the skewness, excess kurtosis and Hartigan dip of the unit shares,
// and for each choice the turnout-share slope (Sobyanin-Sukhovolsky) and correlation.
//
// Shares: turnout = ballots / registered; a choice's share = its votes / ballots (the units and
// exclusions are the battery's, forensics.h).
//
// Statistics and their nulls. Every null redraws each unit's count as Binomial(its own
// denominator, p) with p drawn from the null's law, so it keeps each unit's size and the binomial
// granularity of its share.
//   skewness, kurtosis (descriptive: statistic, null mean and sd reported, not tested, not in the
//     Benjamini-Hochberg family): G1 and G2 (stats/moments.h, scipy's bias=False). Null: a
//     clean, smooth, unimodal election with the observed mean and spread: p ~ Beta fitted by
//     moments to the shares' latent variance (observed variance minus the mean binomial variance
//     s(1-s)/n; a pure binomial null when there is no overdispersion), i.e. beta-binomial
//     resampling. What it detects is a share distribution whose tail or peakedness departs from
//     one beta, e.g. a block of stuffed units near 100%. A real election mixing heterogeneous
//     regions departs from one beta too, so the whole count of a large country will usually be
//     flagged: on clean simulated elections (analysis/simulate.h, logit-normal region, place and
//     sheet effects) the leader's skewness and kurtosis were rejected at p < 0.005 with 4,000
//     sheets. A null that false-alarms on clean data must not feed the flags, so these two are
//     descriptive, like the second-digit mean (the comparison with the beta null is kept).
//   dip (greater): Hartigan's dip (stats/dip.h). Null: the least favourable unimodal law, the
//     uniform (Hartigan & Hartigan 1985): p ~ Uniform(0, 1), i.e. beta-binomial(1, 1) resampling.
//   turnout_share_slope (two-sided): the Sobyanin-Sukhovolsky regression, unweighted OLS across
//     units of the choice's votes per registered voter on turnout (A. Sobyanin & V. Sukhovolsky
//     1993; Myagkov, Ordeshook & Shakin, "The Forensics of Election Fraud", 2009, ch. 2). If the
//     share does not depend on turnout, the slope is the mean share; a slope above it says the
//     extra turnout went disproportionately to the choice (added ballots), below it the reverse.
//   turnout_share_correlation (two-sided): Pearson's r between turnout and the choice's share.
//     Null for both: share independent of turnout within strata, keeping sizes: a unit's
//     registered voters and ballots are paired with the share of another unit of the cell drawn
//     at random from the same stratum (the coarsest geography level with two or more regions),
//     and its votes redrawn as Binomial(its ballots, that share). Pairing within strata keeps the
//     between-region association of turnout and share (regions differ in both for reasons of
//     geography: without it, clean simulated elections with 9 regions showed r = 0.2 and were
//     flagged) and tests only the within-region dependence that ballot stuffing creates.
//
// Cost. Each null replicate draws m = min(units, null_units) units with replacement (each with
// its own size) and the p-value uses the replicates' mean and sd, with the sd scaled by
// sqrt(m / units) to the full cell (all five statistics are root-n consistent; sqrt(n) * dip has a
// limit law under the uniform, Hartigan & Hartigan Theorem 3, so dip replicates are scaled as a
// whole). At most max_replicates replicates are drawn: the p-value comes from the null's moments
// (normal; the dip's right-skewed law by a moment-matched scaled chi-square), p_empirical from the
// rescaled replicates' ranks. Streams: Rng(seed, 2^40 + cell * 2^20 + block), blocks of 25
// replicates, so output is identical for a seed whatever the thread count.
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/forensics/forensics.h"

namespace tallyscope {

// One target prepared by the battery: its qualifying units.
struct DistributionTarget {
  std::string name;
  bool turnout = false;
  std::vector<int64_t> count, denom;
  std::vector<int64_t> registered;  // choices: each unit's registered voters (empty: no slope/correlation)
  std::vector<uint32_t> group;      // region of each unit (0 without regions)
  // Stratum of each unit for the slope/correlation null (empty: one stratum): the battery passes
  // the coarsest geography level with two or more regions.
  std::vector<uint32_t> stratum;
  std::map<std::string, size_t> excluded;
  std::vector<std::map<std::string, size_t>> excluded_by;  // per region (size groups)
  std::string why_not;  // the whole target cannot be tested
};

struct DistributionOptions {
  int replicates = 1000;
  uint64_t seed = 20180318;
  unsigned threads = 0;
  size_t min_units = 20;
  size_t groups = 1;        // regions (1 without --by)
  std::string level;        // "" without --by
  std::vector<std::string> region_names;  // one per group when level is set
  bool whole_count = true;  // emit the whole-count tests
  int max_replicates = 200;   // replicates actually drawn: min(replicates, max_replicates)
  size_t null_units = 1000;   // units drawn per replicate (see Cost above)
};

// Ids in the order each cell emits them.
inline constexpr const char* kDistributionIds[] = {"skewness", "kurtosis", "dip", "turnout_share_slope",
                                                   "turnout_share_correlation"};

// Tests: whole count first (targets in order, ids in order), then each region. q_value and flag
// are left for the battery's Benjamini-Hochberg step.
std::vector<ForensicTest> distribution_tests(const std::vector<DistributionTarget>& targets,
                                             const DistributionOptions& options);

}  // namespace tallyscope
