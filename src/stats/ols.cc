#include "stats/ols.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

namespace tallyscope::stats {
namespace {

// Renumbers arbitrary ids 0..G-1 in order of first appearance; returns G.
size_t dense_ids(const std::vector<uint32_t>& ids, std::vector<uint32_t>& out) {
  out.resize(ids.size());
  uint32_t max_id = 0;
  for (uint32_t id : ids) max_id = std::max(max_id, id);
  uint32_t next = 0;
  constexpr uint32_t kUnseen = std::numeric_limits<uint32_t>::max();
  if (static_cast<size_t>(max_id) <= 4 * ids.size() + 1024) {
    std::vector<uint32_t> map(static_cast<size_t>(max_id) + 1, kUnseen);
    for (size_t i = 0; i < ids.size(); ++i) {
      uint32_t& m = map[ids[i]];
      if (m == kUnseen) m = next++;
      out[i] = m;
    }
  } else {
    std::unordered_map<uint32_t, uint32_t> map;
    map.reserve(ids.size() / 4 + 16);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto [it, inserted] = map.try_emplace(ids[i], next);
      if (inserted) ++next;
      out[i] = it->second;
    }
  }
  return next;
}

// Subtracts the group means from every column of Z in place, all columns in one sweep over the
// rows (the per-group sums of the columns are independent, so the sweep is not bound by the latency
// of one running sum). A second pass removes what rounding left of the means.
void demean(Eigen::MatrixXd& Z, const std::vector<uint32_t>& group, const std::vector<double>& inv_count) {
  const size_t n = static_cast<size_t>(Z.rows()), m = static_cast<size_t>(Z.cols());
  std::vector<double> means(inv_count.size() * m);
  std::vector<double*> col(m);
  for (size_t c = 0; c < m; ++c) col[c] = Z.col(static_cast<Eigen::Index>(c)).data();
  for (int pass = 0; pass < 2; ++pass) {
    std::fill(means.begin(), means.end(), 0.0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &means[group[i] * m];
      for (size_t c = 0; c < m; ++c) s[c] += col[c][i];
    }
    for (size_t g = 0; g < inv_count.size(); ++g)
      for (size_t c = 0; c < m; ++c) means[g * m + c] *= inv_count[g];
    for (size_t i = 0; i < n; ++i) {
      const double* s = &means[group[i] * m];
      for (size_t c = 0; c < m; ++c) col[c][i] -= s[c];
    }
  }
}

template <class Dist>
void fill_inference(const Dist& dist, double level, OlsResult& r) {
  const double q = boost::math::quantile(dist, 0.5 + level / 2);
  const Eigen::Index k = r.coef.size();
  r.t.resize(k);
  r.p_value.resize(k);
  r.ci_low.resize(k);
  r.ci_high.resize(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double t = r.coef[j] / r.se[j];
    r.t[j] = t;
    if (std::isnan(t))
      r.p_value[j] = std::numeric_limits<double>::quiet_NaN();
    else if (std::isinf(t))
      r.p_value[j] = 0.0;
    else
      r.p_value[j] = 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
    r.ci_low[j] = r.coef[j] - q * r.se[j];
    r.ci_high[j] = r.coef[j] + q * r.se[j];
  }
}

}  // namespace

OlsResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<std::string>& names,
              const OlsOptions& options) {
  const size_t n = static_cast<size_t>(X.rows());
  const size_t k = static_cast<size_t>(X.cols());
  auto fail = [](const std::string& message) { throw std::invalid_argument("ols: " + message); };

  // ---- Validation ----
  if (k == 0) fail("X has no columns");
  if (static_cast<size_t>(y.size()) != n)
    fail(fmt::format("y has {} observations but X has {} rows", y.size(), n));
  if (names.size() != k) fail(fmt::format("{} names for {} columns of X", names.size(), k));
  if (!options.absorb.empty() && options.absorb.size() != n)
    fail(fmt::format("absorb has {} group ids for {} observations", options.absorb.size(), n));
  if (options.vce == OlsVce::kCluster && options.cluster.size() != n)
    fail(fmt::format("cluster has {} ids for {} observations", options.cluster.size(), n));
  if (!(options.level > 0 && options.level < 1)) fail(fmt::format("level {} is not in (0, 1)", options.level));
  if (!X.allFinite())
    for (size_t j = 0; j < k; ++j)
      for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j))))
          fail(fmt::format("column '{}' has a non-finite value (NaN or infinity) at observation {}", names[j], i));
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(y[static_cast<Eigen::Index>(i)]))
      fail(fmt::format("y has a non-finite value (NaN or infinity) at observation {}", i));

  OlsResult r;
  r.names = names;
  r.n = n;
  r.k = k;

  const auto N = static_cast<Eigen::Index>(n), K = static_cast<Eigen::Index>(k);
  const bool absorbing = !options.absorb.empty();
  r.k_correction = k;
  std::vector<uint32_t> group;
  if (absorbing) {
    r.groups_absorbed = dense_ids(options.absorb, group);
    if (options.count_absorbed_in_k) r.k_correction += r.groups_absorbed;
  }
  if (n <= r.k_correction)
    fail(fmt::format("{} observations for {} parameters{}", n, r.k_correction,
                     r.k_correction > k ? " (counting the absorbed groups)" : ""));
  r.df_resid = static_cast<double>(n - r.k_correction);
  std::vector<uint32_t> cluster;
  if (options.vce == OlsVce::kCluster) {
    r.clusters = dense_ids(options.cluster, cluster);
    if (r.clusters < 2) fail(fmt::format("{} cluster(s); cluster-robust errors need at least 2", r.clusters));
  }

  // ---- Z = [X y], demeaned within the absorbed groups ----
  Eigen::MatrixXd Z(N, K + 1);
  Z << X, y;
  if (absorbing) {
    std::vector<double> inv_count(r.groups_absorbed, 0.0);
    for (uint32_t g : group) inv_count[g] += 1;
    for (double& c : inv_count) c = 1 / c;
    demean(Z, group, inv_count);
  }
  const Eigen::RowVectorXd norms = Z.colwise().norm();  // of the demeaned columns
  bool centred = absorbing;
  for (Eigen::Index j = 0; j < K && !centred; ++j) centred = X(0, j) != 0 && (X.col(j).array() == X(0, j)).all();
  const double tss = centred ? (Z.col(K).array() - Z.col(K).mean()).square().sum() : Z.col(K).squaredNorm();

  // The sandwich estimators need the (demeaned) data again after the in-place factorization.
  Eigen::MatrixXd W;
  if (options.vce != OlsVce::kClassical) W = Z;

  // ---- Householder QR of [X y] in place: Z = Q R. The top-left K×K block of R is X's factor, the
  // last column holds Q'y above R(K,K), and SSR = R(K,K)². No pivoting: a collinear column is the
  // first one in the span of the columns before it, as R's lm() reports. ----
  Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(Z);
  const Eigen::MatrixXd R = qr.matrixQR().topLeftCorner(K, K).triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < K; ++j) {
    const double original = X.col(j).norm();
    const auto& name = names[static_cast<size_t>(j)];
    if (original == 0) fail(fmt::format("column '{}' is all zeros (rank deficient)", name));
    if (absorbing && norms[j] <= options.rank_tol * original)
      fail(fmt::format("column '{}' is constant within the absorbed groups (rank deficient)", name));
    if (std::fabs(R(j, j)) <= options.rank_tol * original)
      fail(fmt::format("column '{}' is collinear with the columns before it (rank deficient)", name));
  }
  const Eigen::VectorXd qty = qr.matrixQR().col(K).head(K);
  r.coef = R.triangularView<Eigen::Upper>().solve(qty);
  const double r_kk = qr.matrixQR()(K, K);
  r.ssr = r_kk * r_kk;
  r.sigma = std::sqrt(r.ssr / r.df_resid);
  r.r2 = tss > 0 ? 1 - r.ssr / tss : std::numeric_limits<double>::quiet_NaN();

  // ---- Covariance: (X'X)^-1 = R^-1 R^-T. For the sandwich, with B = X R^-1 (the thin Q),
  // (X'X)^-1 X' D X (X'X)^-1 = R^-1 (B' D B) R^-T; the residuals are y - B Q'y. ----
  const Eigen::MatrixXd Rinv = R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(K, K));
  const double nd = static_cast<double>(n);
  if (options.vce == OlsVce::kClassical) {
    r.vcov = (r.sigma * r.sigma) * (Rinv * Rinv.transpose());
  } else {
    auto B = W.leftCols(K);
    R.triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(B);
    auto e = W.col(K);
    e.noalias() -= B * qty;
    if (options.vce == OlsVce::kHC1) {
      B.array().colwise() *= e.array();  // rows e_i b_i
      r.vcov = (nd / r.df_resid) * (Rinv * (B.transpose() * B) * Rinv.transpose());
    } else {
      Eigen::MatrixXd S = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(r.clusters), K);
      for (Eigen::Index j = 0; j < K; ++j) {
        const double* b = B.col(j).data();
        for (size_t i = 0; i < n; ++i) S(cluster[i], j) += e[static_cast<Eigen::Index>(i)] * b[i];
      }
      const double g = static_cast<double>(r.clusters);
      const double c = g / (g - 1) * (nd - 1) / r.df_resid;
      r.vcov = c * (Rinv * (S.transpose() * S) * Rinv.transpose());
    }
  }
  r.vcov = (r.vcov + r.vcov.transpose()) / 2;
  r.se = r.vcov.diagonal().cwiseMax(0.0).cwiseSqrt();

  // ---- Inference ----
  r.t_reference = options.use_t.value_or(options.vce == OlsVce::kClassical);
  if (r.t_reference) {
    r.df = options.vce == OlsVce::kCluster ? static_cast<double>(r.clusters) - 1 : r.df_resid;
    fill_inference(boost::math::students_t(r.df), options.level, r);
  } else {
    fill_inference(boost::math::normal(), options.level, r);
  }
  return r;
}

}  // namespace tallyscope::stats
