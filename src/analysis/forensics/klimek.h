// Klimek, Yegorov, Hanel & Thurner, "Statistical detection of systematic election irregularities",
// PNAS 109(41):16469 (2012): a parametric model of the turnout x winner-share fingerprint with
// incremental and extreme ballot stuffing, fitted by simulate-and-compare.
//
// Model (as in the paper's SI, read through D. Kobak's public re-implementation in
// github.com/dkobak/elections, meduza2018/meduza.ipynb). Unit i with V_i registered voters has a
// clean turnout t ~ N(tau, sigma_tau) and a clean winner share v ~ N(nu, sigma_nu), both truncated
// to [0, 1]. A fraction f_i of the units has incremental fraud, x ~ |N(0, theta)| (truncated to
// [0, 1]); a fraction f_e extreme fraud, x ~ 1 - |N(0, 0.075)|; the others x = 0. A share x of
// the non-voters is cast for the winner and a share x^alpha of the other choices' votes moves to
// the winner: turnout T = 1 - (1 - x)(1 - t), winner votes / V = t v + x (1 - t) + x^alpha (1 - v) t.
// We then draw ballots ~ Binomial(V_i, T) and winner votes ~ Binomial(ballots, share) so that small
// units are as noisy as the data.
//
// Clean parameters, from the data as in the SI: tau and nu are the modes (first local maximum
// holding at least half the highest peak of a 200-bin histogram smoothed with a Gaussian of 2 bins,
// refined by mean shift with a Gaussian kernel of bandwidth 0.03);
// sigma_tau is the root mean square of t - tau over units below both modes, sigma_nu that of
// v - nu below nu, and theta the square root of the root mean square of v - nu above nu. alpha is
// fixed (default 2; the paper's fits range 1.5 to 2.5).
//
// Fit. Distance: the sum over the cells of a bins x bins turnout x share histogram of the squared
// difference between observed and simulated unit counts (the paper's pixel-wise comparison), one
// simulated unit per observed unit with its own V_i. Search: every f_i on a grid of step fi_step
// and every f_e on a grid of step fe_step up to fe_max (f_i + f_e <= 1), with common random
// numbers: each unit's clean draws, its two fraud draws and its uniform u are made once, the unit
// is incremental when u < f_i, extreme when f_i <= u < f_i + f_e, so the whole grid costs a few
// passes over the units (units sorted by u, histogram updated as units change state).
// Uncertainty: parametric bootstrap, `bootstrap` data sets simulated from the fitted model (the
// observed units' V_i), each refitted with fresh common random numbers and the clean parameters
// held at their fitted values (re-estimating them from stuffed data biases the refits: on Russia
// 2018 the refits centred on f_i = 0.13 for a fit of 0.39); the interval is the percentile interval
// at `level` of the refitted values, conditional on the clean model. Measured on the model's own
// data (klimek_test.cc, 40 data sets of 5,000 units a case): the 90% interval holds f_i = 0 in 37
// and 38 of 40 and f_e in 32-35 of 40, but with incremental stuffing the fit underestimates f_i
// (0.036 for 0.1, 0.125 for 0.3: the clean modes, estimated from the stuffed data, absorb part of
// it) and the interval holds the truth in 15 and 0 of 40. So a fitted f_i is a lower bound more than
// an estimate, and its interval is too narrow; the report says so. A basic bootstrap refitting the
// clean cluster too did not mend it (12 and 11 of 40).
//
// Fit check (issue 13). The model assumes one clean Gaussian cluster and a winner's share that does
// not depend on turnout; where places differ (Bolivia: MAS's vote is rural and high-turnout) it
// reads geography as stuffing. So the estimate is only given when the model fits: (1) the clean
// turnout mode must not sit on the 100% spike (tau < kKlimekMaxCleanTurnout; on Russia 2004-2008
// the first-mode rule picked 0.97-0.98), and (2) goodness of fit by the fit's own parametric
// bootstrap: the observed distance at the fit must not exceed the largest distance of the
// bootstrap refits to data simulated from the fitted model (a Monte Carlo test at level
// 1 / (bootstrap + 1)). Otherwise `fits` is false, `fit_check` says why, and the result is "the
// model's assumptions fail here: no estimate": the JSON carries no f_i or f_e.
//
// Reproducibility: the fit draws from Rng(seed, 2^40), bootstrap replicate b from
// Rng(seed, 2^40 + 2b - 1) (data) and Rng(seed, 2^40 + 2b) (refit); replicates run in parallel and
// are stored by index, so the result does not depend on the thread count. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tallyscope {

inline constexpr double kKlimekMaxCleanTurnout = 0.95;

struct KlimekOptions {
  uint64_t seed = 20180318;
  unsigned threads = 0;     // 0: all cores; the result does not depend on it
  int bootstrap = 20;       // parametric bootstrap refits (0: no interval)
  double level = 0.90;      // interval level
  size_t bins = 50;         // fingerprint bins per axis for the distance
  double alpha = 2;         // stolen share of the other choices' votes is x^alpha
  double extreme_sd = 0.075;
  double fi_step = 0.01, fe_step = 0.001, fe_max = 0.25;
  size_t min_units = 100;
};

struct KlimekParams {
  double tau = 0, sigma_tau = 0, nu = 0, sigma_nu = 0, theta = 0;
  double alpha = 2, extreme_sd = 0.075;
  double fi = 0, fe = 0;
};

struct KlimekFit {
  bool run = false;
  std::string why_not;     // when not run
  std::string choice;
  size_t units = 0;        // units fitted
  std::map<std::string, size_t> excluded;  // reason -> units left out
  double fi = 0, fe = 0;                   // fitted fractions of incremental and extreme fraud
  double fi_lo = 0, fi_hi = 0, fe_lo = 0, fe_hi = 0;  // bootstrap percentile interval at `level`
  double distance = 0;        // sum of squared cell differences / units^2, at the fit
  double distance_clean = 0;  // the same with f_i = f_e = 0
  double clean_turnout_mode = 0, clean_turnout_sd = 0, clean_share_mode = 0, clean_share_sd = 0;
  double theta = 0, alpha = 0;
  int bootstrap = 0;
  double level = 0;
  uint64_t seed = 0;
  size_t bins = 0;
  std::vector<double> fi_boot, fe_boot;  // the refitted values, by replicate
  std::vector<double> distance_boot;       // the refits' distances, by replicate (the fit check's null)
  bool fits = false;       // run and the fit check passed: only then are fi and fe an estimate
  std::string fit_check;   // what the fit check found, in words
};

// The units used: registered > 0, 0 < ballots <= registered, votes <= ballots.
KlimekFit fit_klimek(std::span<const int64_t> registered, std::span<const int64_t> ballots,
                     std::span<const int64_t> votes, const KlimekOptions& options = {},
                     const std::string& choice = "");

// One draw of the model for units with these registered voters (for tests and the bootstrap).
// The fit check above, from k.clean_turnout_mode, k.distance and k.distance_boot: sets fits, fit_check.
void klimek_fit_check(KlimekFit& k);

void simulate_klimek(std::span<const int64_t> registered, const KlimekParams& p, uint64_t seed,
                     uint64_t stream, std::vector<int64_t>& ballots, std::vector<int64_t>& votes);

// {"run", "why_not", "choice", "units", "fi", "fi_interval", "fe", "fe_interval", ...}.
nlohmann::ordered_json to_json(const KlimekFit& k);

}  // namespace tallyscope
