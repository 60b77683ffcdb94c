// Ordinary least squares with optional absorbed fixed effects (the within transformation) and
// classical, heteroskedasticity-robust (HC1) or cluster-robust (CR1) standard errors. The
// conventions follow statsmodels (OLS(...).fit(cov_type=...)), against which the tests validate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace tallyscope::stats {

// How the coefficient covariance is estimated. With N observations, K parameters (see
// OlsOptions::count_absorbed_in_k) and G clusters:
//   kClassical: sigma^2 (X'X)^-1 with sigma^2 = SSR / (N - K);
//   kHC1:       N / (N - K) * (X'X)^-1 (sum e_i^2 x_i x_i') (X'X)^-1   (statsmodels cov_type="HC1");
//   kCluster:   G / (G - 1) * (N - 1) / (N - K) * (X'X)^-1 (sum_g s_g s_g') (X'X)^-1 with
//               s_g = sum over cluster g of e_i x_i                    (statsmodels cov_type="cluster").
enum class OlsVce { kClassical, kHC1, kCluster };

struct OlsOptions {
  OlsVce vce = OlsVce::kHC1;
  std::vector<uint32_t> cluster;  // one id per observation, for kCluster (any values; need not be dense)
  // Optional fixed-effect group per observation (any values). When given, y and every column of X
  // are demeaned within groups and the regression runs on the demeaned data without an intercept;
  // X must then not contain a constant column (it would be absorbed: an error names it).
  std::vector<uint32_t> absorb;
  // Whether K in the small-sample corrections (and in sigma) counts the absorbed groups: true
  // reproduces a regression with one dummy per group (statsmodels on X plus dummies: K = k + groups),
  // false one on demeaned data (statsmodels on the demeaned X: K = k). Coefficients are the same.
  bool count_absorbed_in_k = false;
  double level = 0.95;  // of the confidence intervals
  // Reference distribution for t, p_value and the intervals. Unset: as statsmodels' fit() default,
  // Student's t for kClassical and the standard normal for kHC1 and kCluster. When true, Student's t
  // with N - K degrees of freedom (kClassical, kHC1) or G - 1 (kCluster), as statsmodels with
  // use_t=True; when false, the normal.
  std::optional<bool> use_t;
  // A column j is collinear when the part of it orthogonal to columns 0..j-1 (after demeaning) has
  // a norm at most rank_tol times the norm of the original column (R's lm() rule and tolerance).
  double rank_tol = 1e-7;
};

struct OlsResult {
  std::vector<std::string> names;
  Eigen::VectorXd coef, se;  // for the regressors in X (the intercept is absent when absorbing)
  // t = coef / se; p_value two-sided; [ci_low, ci_high] = coef -/+ q * se, with q the (1+level)/2
  // quantile of the reference distribution: Student's t with `df` degrees of freedom when
  // t_reference, else the standard normal (see OlsOptions::use_t for which one is the default).
  Eigen::VectorXd t, p_value, ci_low, ci_high;
  Eigen::MatrixXd vcov;  // the estimated covariance of coef
  size_t n = 0, k = 0, groups_absorbed = 0, clusters = 0;
  size_t k_correction = 0;  // the K used in the corrections: k, or k + groups_absorbed
  bool t_reference = false;
  double df = 0;            // degrees of freedom of the t reference (0 when normal)
  double df_resid = 0;      // N - K
  // 1 - SSR/TSS of the (demeaned) model: TSS is centred when absorbing or when X has a constant
  // column, uncentred otherwise (as statsmodels' rsquared).
  double r2 = 0;
  double ssr = 0;
  double sigma = 0;         // sqrt(SSR / (N - K))
};

// X has one column per regressor (include a column of ones yourself for an intercept when not
// absorbing). Solves by an unpivoted Householder QR of the (demeaned) [X y]; the covariances come from
// its R factor, never from an explicit inverse of X'X. Demeaning is O(n k); no dummy matrix is ever
// built. Groups of one observation are kept (they demean to zero rows and add nothing but to K).
// Throws std::invalid_argument for size mismatches, no regressors, N <= K, a rank-deficient X
// (naming the first column that is collinear with the ones before it, or constant within the
// absorbed groups), fewer than 2 clusters, a NaN or infinite value, or a level outside (0, 1).
OlsResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<std::string>& names,
              const OlsOptions& options = {});

}  // namespace tallyscope::stats
