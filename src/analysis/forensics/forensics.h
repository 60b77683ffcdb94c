// The forensic battery: digit tests, integer percentages, the turnout x share fingerprint and
// distribution tests (skewness, kurtosis, dip, turnout-share slope and correlation; their nulls
// are in analysis/distribution.h), for turnout and the leading choices, on the whole count and (with a level)
// per region, with every p-value from a simulated null that keeps each unit's own size and
// Benjamini-Hochberg control across all tests x targets x regions.
//
// Nulls. "binomial" (digit tests, integer percentages): each unit's count is redrawn as
// Binomial(denominator, the unit's own observed share), as Kobak et al. (2016) do; it keeps every
// unit's size and expected result and randomises only the fine, digit-level structure, which is
// exactly what these tests look at. Turnout redraws ballots from registered voters; a choice
// redraws its votes from the ballots.
//
// Integer percentages: each unit's probability P_i of a whole percentage under that null is exact
// (integer_percent.h), so the null count's mean and sd are the exact Poisson-binomial ones, and the
// p_value their continuity-corrected normal tail; p_empirical still comes from the replicates
// (Bernoulli(P_i) draws: the same null as binomial redraws, far cheaper).
//
// p-values: from the simulated null's mean and sd (normal; a moment-matched scaled chi-square for
// the last-digit chi-square), so that tails below 1 / (replicates + 1) are resolved; the plain
// Monte Carlo rank p-value is reported beside it as p_empirical.
//
// Drawing the null: a unit's integer-percentage indicator is Bernoulli(P_i) with its exact P_i, and
// its digit statistics are drawn from their exact per-unit class probabilities under the binomial
// (digit_null.h), which is the same null as a binomial redraw at a fraction of the cost.
//
// Model fits (with fits on and a registered-voters column, for each tested choice): Klimek et al.'s
// incremental/extreme fraud model (klimek.h) and Shpilkin's anomalous-vote estimate (shpilkin.h),
// each with a seeded bootstrap interval.
//
// Reproducibility: a Monte Carlo task is one target and a chunk of 1,024 consecutive units, drawn
// from its own stream Rng(seed, t * 2^20 + chunk) for every replicate; tallies are integer sums,
// so the output is identical for a seed whatever the thread count. `run_forensics` is pure and
// does no I/O.
#pragma once

#include "analysis/common/default_seed.h"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/forensics/fingerprint.h"
#include "analysis/forensics/integer_percent.h"
#include "analysis/forensics/klimek.h"
#include "analysis/forensics/shpilkin.h"
#include "model/election.h"

namespace tallyscope {

struct ForensicsOptions {
  int replicates = 1000;         // Monte Carlo replicates of every null
  uint64_t seed = kDefaultSeed;  // the report's too (analysis/common/default_seed.h)
  double fdr = 0.05;             // Benjamini-Hochberg level for `flag`
  std::vector<std::string> choices;  // empty: the `leading` choices with most votes
  size_t leading = 2;
  std::string by;                // a geography level: also run per region at that level
  unsigned threads = 0;          // 0: all cores; results do not depend on it
  bool integer_percent = true;   // the integer-percentage test (Kobak et al.)
  bool digit_tests = true;       // last-digit, pair and second-digit statistics
  // Skewness, kurtosis, dip, turnout-share slope and correlation (analysis/distribution.h).
  bool distribution_tests = true;
  int distribution_replicates = 200;  // at most this many of `replicates` for those nulls
  size_t distribution_null_units = 1000;  // units drawn per replicate of those nulls
  // Within-place family (analysis/forensics/within_place.h): each sheet against the other sheets
  // of its polling place; whole count only.
  bool within_place = true;
  bool fits = true;              // fingerprint histograms and percentage charts (off: tests only)
  bool model_fits = true;        // Klimek et al.'s model and Shpilkin's estimate (need registered voters)
  size_t fingerprint_bins = 100;
  size_t min_units = 20;         // a test needs at least this many qualifying units
};

struct ForensicTest {
  std::string id;       // e.g. "integer_percent", "last_digit_uniformity"
  std::string target;   // "turnout" or a choice's name
  std::string level;    // "all" or the geography level of --by
  std::string region;   // "" for the whole count, else the region's path
  std::string alternative;  // "greater" or "two-sided"
  // "test": its p-value is in the Benjamini-Hochberg family and it can flag; "descriptive": no
  // honest null exists for it on real counts, so it is shown with its statistic (and the null's
  // mean and sd when simulated), out of the family, never a flag; why_not says why.
  std::string role = "test";
  bool run = false;
  std::string why_not;  // when not run, or why a descriptive statistic is not tested
  int replicates = 0;   // Monte Carlo replicates behind p_value (its resolution, p_display.h)
  double statistic = 0;
  double null_mean = 0, null_sd = 0;  // of the statistic under the simulated null
  double p_value = 0, q_value = 0;
  double p_empirical = 0;  // rank p-value among the replicates, (1 + #{as extreme}) / (R + 1)
  bool flag = false;    // q_value <= fdr
  size_t units = 0;     // units the statistic used
  std::map<std::string, size_t> excluded;  // reason -> units left out
};

// A sheet on the tail-symmetry test's stuffing side (within_place.h) that stands out on both
// counts: its turnout beyond +kTailZ binomial sd of the median of the other sheets of its place,
// and the leading choice's share beyond +kTailZ sd of theirs. These are the sheets to look at on
// paper when that test flags (report --flagged-csv). On a clean count a few sheets meet both by
// chance, so they are not listed unless the test flags.
struct TailSheet {
  uint32_t sheet = 0;
  double turnout_z = 0, share_z = 0;  // the excesses over the others' medians, in binomial sd
  double turnout_excess = 0;  // in points of registered voters
  double share_excess = 0;    // in points of ballots
};

struct ModelFits {
  std::string choice;
  KlimekFit klimek;
  ShpilkinEstimate shpilkin;
};

struct ForensicsResult {
  std::string source;
  int replicates = 0;
  uint64_t seed = 0;
  double fdr = 0.05;
  std::string null_model;
  std::vector<std::string> choices;
  std::string by;
  size_t units = 0, regions = 0;
  std::vector<ForensicTest> tests;
  std::vector<Fingerprint> fingerprints;  // one per choice (whole count); empty when fits are off
  // The integer-percentage test's chart per target (whole count): units by 0.1-point percentage
  // bin against the null's exact mean and sd; empty when fits are off.
  std::vector<PercentHistogram> percent_histograms;
  // Klimek et al.'s model and Shpilkin's estimate for each tested choice, in `choices`' order
  // (whole count), with model fits on and a registered-voters column; otherwise one entry per
  // choice with run = false and why_not saying why. Stuffing shows in the winner's fingerprint,
  // but a runner-up's votes moved to the winner show in the runner-up's, so each is fitted.
  std::vector<ModelFits> model_fits;
  // The within-place family's level and what it is, in words (within_place.h); empty level when
  // it could not run (within_place_why says why).
  std::string within_place_level, within_place_note, within_place_why;
  bool within_place_places = true;  // false: the level is a region, not a polling place
  // The sheets on the stuffing side of the leading choice's tail-symmetry test (within_place.h,
  // TailSheet). Listed as sheets to look at (JSON, --flagged-csv) only when that test flags on the
  // whole count: `within_place_tail_flagged()`.
  std::vector<TailSheet> within_place_tail_sheets;
  bool within_place_tail_flagged() const;
  std::vector<std::string> notes;
  size_t tests_run() const;
  size_t flagged() const;
  // The leading choice's fits (model_fits[0]); an empty, not-run entry when there is none.
  const ModelFits& leading_fits() const;
};

// Throws UsageError for an unknown choice or level; every data problem (too few units, no
// registered voters, zero columns) is a test that says why it was not run.
ForensicsResult run_forensics(const Election& e, const ForensicsOptions& options = {});

nlohmann::ordered_json to_json(const ForensicsResult& r);
std::string to_text(const ForensicsResult& r);

}  // namespace tallyscope
