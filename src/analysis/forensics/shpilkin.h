// A Shpilkin-style estimate of anomalous votes for the winner (S. Shpilkin's method as described
// by Kobak, Shpilkin & Pshenichnikov, "Statistical fingerprints of electoral fraud?", Significance
// 13(4), 2016): clean polling stations cluster around the mode of turnout, and the winner's share
// there is the true one; stations above the clean mode got extra ballots for the winner.
//
// Our variant, step by step, over units with registered > 0 and 0 < ballots <= registered:
//  1. clean turnout mode tau: the highest bin of the registered-voter-weighted turnout histogram
//     (200 bins on [0, 1], smoothed by a Gaussian of sd 2 bins, reflected at the edges); the bin's
//     centre;
//  2. clean share s: the winner's votes / ballots over all units with turnout <= tau;
//  3. anomalous votes = sum over units with turnout > tau of (winner votes - registered * tau * s),
//     i.e. the winner's votes above what the unit would give at the clean turnout and share.
//  A second figure keeps the other choices' votes as clean (Shpilkin's other common reading):
//     anomalous_votes_others = sum over units above tau of (winner votes - others * s / (1 - s)),
//     others = ballots - winner votes.
// Uncertainty: bootstrap over units (resampled with replacement, the whole procedure re-run),
// percentile interval at `level`. Replicate b draws from Rng(seed, 2^41 + b); replicates are
// stored by index, so the result does not depend on the thread count. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tallyscope {

struct ShpilkinOptions {
  uint64_t seed = 20180318;
  unsigned threads = 0;
  int bootstrap = 100;
  double level = 0.90;
  size_t bins = 200;        // turnout histogram bins for the mode
  double smooth_bins = 2;   // Gaussian smoothing sd, in bins
  size_t min_units = 100;
};

struct ShpilkinEstimate {
  bool run = false;
  std::string why_not;
  std::string choice;
  size_t units = 0, units_above_mode = 0;
  std::map<std::string, size_t> excluded;
  double anomalous_votes = 0, lo = 0, hi = 0;  // interval at `level`
  double anomalous_votes_others = 0, others_lo = 0, others_hi = 0;
  double winner_votes = 0;            // over the units used
  double share_of_winner_votes = 0;   // anomalous_votes / winner_votes
  double clean_turnout_mode = 0, clean_share = 0;
  double official_share = 0, clean_share_of_ballots_estimate = 0;  // winner share; after removing the anomaly
  int bootstrap = 0;
  double level = 0;
  uint64_t seed = 0;
  // Fit check (issue 13): false when the clean turnout mode sits on the 100% spike
  // (>= kKlimekMaxCleanTurnout), or when the battery finds that the single-clean-cluster model it
  // shares with Klimek's fit fails that fit's goodness-of-fit check; then there is no estimate.
  bool fits = true;
  std::string fit_check;
  // A negative count (the winner does worse above the mode than below it) is never shown as
  // such: it is clipped to 0, with the interval, and `clipped` says so; raw_anomalous_votes keeps it.
  bool clipped = false;
  double raw_anomalous_votes = 0;
};

ShpilkinEstimate estimate_shpilkin(std::span<const int64_t> registered, std::span<const int64_t> ballots,
                                   std::span<const int64_t> votes, const ShpilkinOptions& options = {},
                                   const std::string& choice = "");

nlohmann::ordered_json to_json(const ShpilkinEstimate& s);

}  // namespace tallyscope
