// Sharp regression-discontinuity estimation by local polynomials, with the MSE-optimal bandwidth
// and robust bias-corrected inference of rdrobust (Calonico, Cattaneo & Titiunik 2014,
// Econometrica 82(6); Calonico, Cattaneo & Farrell 2018, JASA 113(522); Calonico, Cattaneo,
// Farrell & Titiunik 2017, Stata Journal 17(2) and 2019, REStat 101(3)).
//
// This is an independent implementation of the method as the rdrobust package computes it (R
// package 4.0.0 / Python 2.0.0, rdpackages/rdrobust commit 34aac07) for the sharp design without
// covariates or weights: the same preliminary bandwidth, bandwidth selectors (including the
// regularisation term), nearest-neighbour and HC0-HC3 variance estimators, cluster-robust CR1-CR3
// variants, bias-corrected estimate and robust standard error. The tests pin its output to numbers
// printed by rdrobust.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tallyscope::stats {

enum class RdKernel { kTriangular, kEpanechnikov, kUniform };

// Variance estimators. kNN: nearest-neighbour residuals (nn_matches neighbours in x, ties kept
// together). kHC0..kHC3: plug-in residuals, HC1 scaled by sqrt(n / (n - k)), HC2/HC3 by the
// leverage. kCR1..kCR3: cluster-robust (options.cluster required).
// As in rdrobust, giving clusters turns kNN, kHC0 and kHC1 into kCR1, kHC2 into kCR2 and kHC3 into
// kCR3; asking for kCR1..kCR3 without clusters falls back to kHC1..kHC3. RdResult::vce reports
// the estimator actually used.
enum class RdVce { kNN, kHC0, kHC1, kHC2, kHC3, kCR1, kCR2, kCR3 };

// rdrobust's bwselect. *rd: one common bandwidth; *two: one per side; *sum: one common bandwidth
// for the sum of the two regression functions; comb1: min(rd, sum); comb2: median(rd, sum, two)
// per side; cer*: the MSE bandwidth h shrunk by N^(-p / ((3 + p)(3 + 2p))) (b unchanged).
enum class RdBwSelect {
  kMseRd, kMseTwo, kMseSum, kMseComb1, kMseComb2, kCerRd, kCerTwo, kCerSum, kCerComb1, kCerComb2
};

// rdrobust's masspoints: kAdjust (default) uses the number of distinct x values in the
// preliminary bandwidth and, when at least 20% of a side's observations repeat an x value, makes
// every preliminary bandwidth hold at least bwcheck (10 unless set) distinct values a side;
// kCheck only reports (RdResult::mass_points); kOff does neither.
enum class RdMassPoints { kAdjust, kCheck, kOff };

struct RdOptions {
  double cutoff = 0;
  int p = 1;      // local polynomial order, 0..20
  int q = 2;      // order for the bias correction; must exceed p (rdrobust's default is p + 1)
  int deriv = 0;  // derivative estimated at the cutoff (0: the jump; 1: kink designs), <= p
  RdKernel kernel = RdKernel::kTriangular;
  RdVce vce = RdVce::kNN;
  int nn_matches = 3;
  // Fixed bandwidths (the same on both sides). h alone sets b = h; b without h is an error.
  // Unset: selected by `bwselect`.
  std::optional<double> h, b;
  RdBwSelect bwselect = RdBwSelect::kMseRd;
  // Empty: no clustering. Otherwise one cluster id per observation (as rdrobust's cluster=).
  std::vector<int64_t> cluster;
  double level = 0.95;        // of the confidence intervals, in (0, 1)
  double scaleregul = 1;      // weight of the regularisation term in the bandwidth selectors
  RdMassPoints masspoints = RdMassPoints::kAdjust;
  std::optional<int> bwcheck; // minimum distinct x values in preliminary bandwidths (see above)
  bool bwrestrict = true;     // cap selected bandwidths at the range of x on each side
};

struct RdResult {
  // tau at the cutoff (right limit minus left limit of the deriv-th derivative).
  double coef_conventional = 0, coef_bias_corrected = 0;
  double se_conventional = 0, se_robust = 0;
  double z_conventional = 0, z_robust = 0;  // coef_conventional / se_conventional, bias-corrected / robust
  // coef_conventional -/+ z * se_conventional and coef_bias_corrected -/+ z * se_robust, z the
  // (1 + level) / 2 normal quantile.
  double ci_conventional_low = 0, ci_conventional_high = 0, ci_robust_low = 0, ci_robust_high = 0;
  double p_value_conventional = 0, p_value_robust = 0;  // two-sided, normal
  double h_left = 0, h_right = 0, b_left = 0, b_right = 0;
  size_t n_left = 0, n_right = 0;          // observations each side (x < cutoff, x >= cutoff)
  size_t n_eff_left = 0, n_eff_right = 0;  // with positive kernel weight within h
  size_t n_b_left = 0, n_b_right = 0;      // with positive kernel weight within b
  size_t n_unique_left = 0, n_unique_right = 0;  // distinct x values each side
  size_t clusters_left = 0, clusters_right = 0;  // distinct clusters in the estimation window
  RdVce vce = RdVce::kNN;  // the estimator applied (after the cluster mapping above)
  bool mass_points = false;  // at least 20% repeated x values on a side (with masspoints != kOff)
};

// Minimum number of observations required on each side of the cutoff.
inline constexpr size_t kRdMinObsPerSide = 20;

// Sharp RD estimate of the jump of E[y | x] (or of its deriv-th derivative) at options.cutoff.
// Observations with x < cutoff are the left side, x >= cutoff the right side.
// Throws std::invalid_argument with a message for unusable input: sizes that differ (y, x,
// cluster), a NaN or infinite value, a cutoff not strictly inside the range of x, fewer than
// kRdMinObsPerSide observations on a side, invalid orders or options, fewer than the polynomial
// needs distinct x values within a bandwidth, fewer than 2 clusters on a side within a bandwidth,
// or a bandwidth selector that cannot give a finite positive bandwidth (e.g. y an exact polynomial).
// Cost: a radix sort of x (skipped when x is already sorted) plus O(n (q + 3)^2): about 4 ms for
// 34,555 observations with the defaults; CR2 adds an eigendecomposition per cluster and window
// (about 40 ms with 4,300 clusters).
RdResult rdrobust(const std::vector<double>& y, const std::vector<double>& x, const RdOptions& options = {});

}  // namespace tallyscope::stats
