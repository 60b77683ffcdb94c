#include "stats/rd.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include <Eigen/Dense>
#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

// Notes on the computation (see rd.h for what is computed):
//  * Every local polynomial is fitted in the scaled variable t = (x - c) / s, with s the bandwidth
//    of that fit, instead of in x - c as rdrobust does. The two are the same model (the design
//    differs by the diagonal matrix D = diag(s^j)); coefficients, covariances and bias constants
//    are mapped back exactly (beta_j = beta_t,j / s^j, V_jj = V_t,jj / s^2j). Fitting in t keeps
//    the Gram matrices well conditioned whatever the units of x.
//  * Observations are sorted by x once; every kernel window is then a contiguous range of a side,
//    found by binary search on the kernel weight itself (so the points with weight exactly 0 at
//    |u| = 1 are excluded as in rdrobust), and the nearest-neighbour residuals are linear in n.

namespace tallyscope::stats {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// The variance estimator as applied (rdrobust maps hc* to cr* under clustering).
enum class Mode { kNN, kHC0, kHC1, kHC2, kHC3, kCR1, kCR2, kCR3 };

bool clustered(Mode m) { return m == Mode::kCR1 || m == Mode::kCR2 || m == Mode::kCR3; }
bool crv(Mode m) { return m == Mode::kCR2 || m == Mode::kCR3; }

RdVce to_vce(Mode m) {
  switch (m) {
    case Mode::kNN: return RdVce::kNN;
    case Mode::kHC0: return RdVce::kHC0;
    case Mode::kHC1: return RdVce::kHC1;
    case Mode::kHC2: return RdVce::kHC2;
    case Mode::kHC3: return RdVce::kHC3;
    case Mode::kCR1: return RdVce::kCR1;
    case Mode::kCR2: return RdVce::kCR2;
    case Mode::kCR3: return RdVce::kCR3;
  }
  return RdVce::kNN;
}

// One side of the cutoff, sorted by x.
struct Side {
  bool left = false;
  std::vector<double> x, y;
  std::vector<int> dups, dupsid;  // size of the run of equal x a point is in; 1-based place in it
  std::vector<uint32_t> cl;       // dense cluster ids; empty without clustering
  std::vector<long double> ysum;  // prefix sums of y (ysum[i] = y[0] + ... + y[i-1]), with long tie runs
  size_t unique = 0;              // distinct x values
  size_t size() const { return x.size(); }
  const char* name() const { return left ? "left" : "right"; }
};

struct Range {
  size_t lo = 0, hi = 0;
  size_t n() const { return hi - lo; }
  bool operator==(const Range& o) const { return lo == o.lo && hi == o.hi; }
};

double kernel_weight(double x, double c, double h, RdKernel k) {
  const double u = (x - c) / h;
  const double a = std::abs(u);
  if (!(a <= 1)) return 0;
  switch (k) {
    case RdKernel::kEpanechnikov: return 0.75 * (1 - u * u) / h;
    case RdKernel::kUniform: return 0.5 / h;
    case RdKernel::kTriangular: break;
  }
  return (1 - a) / h;
}

// The points of a side with a positive kernel weight: a suffix of the left side, a prefix of the
// right side (the weight is monotone in the distance to the cutoff).
Range window(const Side& s, double c, double h, RdKernel k) {
  auto in = [&](double v) { return kernel_weight(v, c, h, k) > 0; };
  Range r;
  if (s.left) {
    r.lo = static_cast<size_t>(std::partition_point(s.x.begin(), s.x.end(), [&](double v) { return !in(v); }) -
                               s.x.begin());
    r.hi = s.size();
  } else {
    r.lo = 0;
    r.hi = static_cast<size_t>(std::partition_point(s.x.begin(), s.x.end(), in) - s.x.begin());
  }
  return r;
}

VectorXd weights(const Side& s, Range r, double c, double h, RdKernel k) {
  VectorXd w(static_cast<Eigen::Index>(r.n()));
  for (size_t i = r.lo; i < r.hi; ++i) w[static_cast<Eigen::Index>(i - r.lo)] = kernel_weight(s.x[i], c, h, k);
  return w;
}

// Distinct x values in the range, counting no further than `enough`.
size_t distinct(const Side& s, Range r, size_t enough) {
  size_t d = 0;
  for (size_t i = r.lo; i < r.hi && d < enough; ++i)
    if (i == r.lo || s.x[i] != s.x[i - 1]) ++d;
  return d;
}

void require_distinct(const Side& s, Range r, int order, double h, const char* what) {
  const size_t d = distinct(s, r, static_cast<size_t>(order) + 1);
  if (d < static_cast<size_t>(order) + 1)
    throw std::invalid_argument(fmt::format(
        "rdrobust: {} of order {} needs at least {} distinct x values on the {} side within bandwidth {:.6g} "
        "of the cutoff, found {}; use a larger bandwidth or a lower order",
        what, order, order + 1, s.name(), h, d));
}

// [1, t, t^2, ..., t^o] for t = (x - c) / scale, one row per point of the range.
MatrixXd design(const Side& s, Range r, double c, double scale, int o) {
  MatrixXd R(static_cast<Eigen::Index>(r.n()), o + 1);
  for (size_t i = r.lo; i < r.hi; ++i) {
    const auto row = static_cast<Eigen::Index>(i - r.lo);
    const double t = (s.x[i] - c) / scale;
    double v = 1;
    for (int j = 0; j <= o; ++j) {
      R(row, j) = v;
      v *= t;
    }
  }
  return R;
}

// ((x - c) / scale)^power for the points of the range.
VectorXd powers(const Side& s, Range r, double c, double scale, int power) {
  VectorXd v(static_cast<Eigen::Index>(r.n()));
  for (size_t i = r.lo; i < r.hi; ++i) {
    const double t = (s.x[i] - c) / scale;
    double a = 1;
    for (int j = 0; j < power; ++j) a *= t;
    v[static_cast<Eigen::Index>(i - r.lo)] = a;
  }
  return v;
}

MatrixXd spd_inverse(const MatrixXd& G, const Side& s, const char* what) {
  Eigen::LLT<MatrixXd> llt(G);
  if (llt.info() != Eigen::Success || !llt.matrixLLT().diagonal().allFinite())
    throw std::invalid_argument(
        fmt::format("rdrobust: the {} on the {} side is singular (too few distinct x values near the cutoff?)",
                    what, s.name()));
  return llt.solve(MatrixXd::Identity(G.rows(), G.cols()));
}

Eigen::Map<const VectorXd> yvec(const Side& s, Range r) {
  return Eigen::Map<const VectorXd>(s.y.data() + r.lo, static_cast<Eigen::Index>(r.n()));
}

// Nearest-neighbour residuals (rdrobust's vce = "nn"): for each point, the average of y over its
// `matches` nearest neighbours in x within the range, a run of tied x values counting as a whole
// (so more than `matches` neighbours may enter, and points tied with it are always among them;
// equidistant runs on both sides both enter); residual sqrt(J / (J + 1)) (y_i - mean of the J).
VectorXd nn_residuals(const Side& s, Range r, int matches) {
  const auto n = static_cast<long>(r.n());
  const double* X = s.x.data() + r.lo;
  const double* Y = s.y.data() + r.lo;
  const int* dups = s.dups.data() + r.lo;
  const int* dupsid = s.dupsid.data() + r.lo;
  const long cap = std::min<long>(matches, n - 1);
  VectorXd res(n);
  for (long pos = 0; pos < n; ++pos) {
    long rpos = dups[pos] - dupsid[pos];
    long lpos = dupsid[pos] - 1;
    while (lpos + rpos < cap) {
      const long li = pos - lpos - 1, ri = pos + rpos + 1;
      if (li < 0) {
        rpos += dups[ri];
      } else if (ri >= n) {
        lpos += dups[li];
      } else {
        const double dl = X[pos] - X[li], dr = X[ri] - X[pos];
        if (dl > dr) {
          rpos += dups[ri];
        } else if (dl < dr) {
          lpos += dups[li];
        } else {
          rpos += dups[ri];
          lpos += dups[li];
        }
      }
    }
    const long lo = pos - lpos, hi = pos + rpos;  // inclusive
    const long J = lpos + rpos;
    double sum;
    if (J <= 64 || s.ysum.empty()) {
      sum = 0;
      for (long j = lo; j <= hi; ++j) sum += Y[j];
      sum -= Y[pos];
    } else {
      const size_t a = r.lo + static_cast<size_t>(lo), b = r.lo + static_cast<size_t>(hi) + 1;
      sum = static_cast<double>(s.ysum[b] - s.ysum[a] - static_cast<long double>(Y[pos]));
    }
    const double Jd = static_cast<double>(J);
    res[pos] = std::sqrt(Jd / (Jd + 1)) * (Y[pos] - sum / Jd);
  }
  return res;
}

// Leverages w_i r_i' invG r_i.
VectorXd leverage(const MatrixXd& R, const VectorXd& w, const MatrixXd& invG) {
  return ((R * invG).cwiseProduct(R)).rowwise().sum().cwiseProduct(w);
}

// Residuals of a weighted fit for the plug-in estimators (d = number of coefficients).
VectorXd fit_residuals(Mode mode, const Eigen::Ref<const VectorXd>& y, const MatrixXd& R, const VectorXd& beta,
                       const VectorXd& w, const MatrixXd& invG, int d) {
  VectorXd e = y - R * beta;
  const auto n = static_cast<double>(e.size());
  switch (mode) {
    case Mode::kHC1: e *= std::sqrt(n / (n - d)); break;
    case Mode::kHC2:
    case Mode::kHC3: {
      const VectorXd hii = leverage(R, w, invG);
      for (Eigen::Index i = 0; i < e.size(); ++i) {
        const double f = 1 / std::max(1 - hii[i], 1e-8);
        e[i] *= mode == Mode::kHC2 ? std::sqrt(f) : f;
      }
      break;
    }
    default: break;  // HC0, and the raw residuals of CR1 (no HC1 factor), CR2 and CR3
  }
  return e;
}

// Renumbers the clusters met in a range 0..g-1.
class Grouper {
 public:
  explicit Grouper(size_t total) : slot_(total, -1) {}
  size_t group(const uint32_t* ids, size_t n, std::vector<uint32_t>& local) {
    local.resize(n);
    touched_.clear();
    for (size_t i = 0; i < n; ++i) {
      int32_t& s = slot_[ids[i]];
      if (s < 0) {
        s = static_cast<int32_t>(touched_.size());
        touched_.push_back(ids[i]);
      }
      local[i] = static_cast<uint32_t>(s);
    }
    for (uint32_t id : touched_) slot_[id] = -1;
    return touched_.size();
  }

 private:
  std::vector<int32_t> slot_;
  std::vector<uint32_t> touched_;
};

MatrixXd pseudo_inverse(const MatrixXd& A) {
  return Eigen::CompleteOrthogonalDecomposition<MatrixXd>(A).pseudoInverse();
}

struct Clusters {
  const uint32_t* ids = nullptr;  // aligned with the rows; null without clustering
  Grouper* grouper = nullptr;
};

size_t group_rows(const Clusters& cl, size_t n, std::vector<uint32_t>& local, const char* side) {
  const size_t g = cl.grouper->group(cl.ids, n, local);
  if (g < 2)
    throw std::invalid_argument(fmt::format(
        "rdrobust: cluster-robust variance needs at least 2 clusters on the {} side within the bandwidth, found {}",
        side, g));
  return g;
}

// Per-cluster sums u_g += R_i w_i e_i (k each) and the lower triangle of L_g += w_i R_i R_i'
// (k x k, column-major) into flat buffers.
void accumulate_clusters(const MatrixXd& R, const VectorXd& w, const VectorXd& res, const std::vector<uint32_t>& local,
                         std::vector<double>& ubuf, std::vector<double>& Lbuf) {
  const auto n = static_cast<size_t>(R.rows()), k = static_cast<size_t>(R.cols());
  const double* rd = R.data();
  std::vector<double> r(k);
  for (size_t i = 0; i < n; ++i) {
    const auto ii = static_cast<Eigen::Index>(i);
    for (size_t a = 0; a < k; ++a) r[a] = rd[a * n + i];
    const double wi = w[ii], we = wi * res[ii];
    double* u = &ubuf[local[i] * k];
    double* L = &Lbuf[local[i] * k * k];
    for (size_t b = 0; b < k; ++b) {
      u[b] += r[b] * we;
      const double wb = wi * r[b];
      for (size_t a = b; a < k; ++a) L[b * k + a] += wb * r[a];
    }
  }
}

// The meat sum_g s_g s_g' (or sum_i s_i s_i') of the sandwich invG M invG, for the scores of a fit
// with design R and kernel weights w (score rows w_i R_i e_i): rdrobust_vce with RX = R * w.
// G and invG are the fit's Gram matrix and its inverse (for CR2 and CR3).
MatrixXd meat(Mode mode, const MatrixXd& R, const VectorXd& w, const VectorXd& res, const Clusters& cl,
              const MatrixXd& G, const MatrixXd& invG, const char* side) {
  const Eigen::Index k = R.cols();
  const MatrixXd RX = R.array().colwise() * w.array();
  if (!clustered(mode)) {
    const MatrixXd S = RX.array().colwise() * res.array();
    return S.transpose() * S;
  }
  std::vector<uint32_t> local;
  const size_t n = static_cast<size_t>(R.rows());
  const size_t g = group_rows(cl, n, local, side);
  if (mode == Mode::kCR1) {
    MatrixXd S = MatrixXd::Zero(static_cast<Eigen::Index>(g), k);
    for (size_t i = 0; i < n; ++i) S.row(local[i]) += RX.row(static_cast<Eigen::Index>(i)) * res[static_cast<Eigen::Index>(i)];
    const double nd = static_cast<double>(n), gd = static_cast<double>(g);
    return ((nd - 1) / (nd - static_cast<double>(k))) * (gd / (gd - 1)) * (S.transpose() * S);
  }
  // CR2 / CR3: per-cluster u_g = sum w R e and L_g = sum w R R' (lower triangles), in flat buffers.
  const auto ku = static_cast<size_t>(k);
  std::vector<double> ubuf(g * ku, 0.0), Lbuf(g * ku * ku, 0.0);
  accumulate_clusters(R, w, res, local, ubuf, Lbuf);
  MatrixXd M = MatrixXd::Zero(k, k);
  MatrixXd Lg(k, k);
  VectorXd score(k);
  if (mode == Mode::kCR3) {
    // score_g = (I + L_g (G - L_g)^-1) u_g: the scores of the leave-cluster-out residuals.
    Eigen::FullPivLU<MatrixXd> lu(k, k);
    MatrixXd A(k, k);
    for (size_t j = 0; j < g; ++j) {
      Lg = Eigen::Map<const MatrixXd>(&Lbuf[j * ku * ku], k, k).selfadjointView<Eigen::Lower>();
      const Eigen::Map<const VectorXd> u(&ubuf[j * ku], k);
      A = G - Lg;
      lu.compute(A);
      const VectorXd adj = lu.isInvertible() ? VectorXd(lu.solve(u)) : VectorXd(pseudo_inverse(A) * u);
      score = u;
      score.noalias() += Lg * adj;
      M.noalias() += score * score.transpose();
    }
    return M;
  }
  // CR2: residuals premultiplied by (I - H_gg)^(-1/2), H_gg the cluster block of the hat matrix,
  // worked in k dimensions: with invG = U'U, H_gg has the nonzero eigenvalues of U L_g U'.
  Eigen::LLT<MatrixXd> llt(invG);
  const bool ok = llt.info() == Eigen::Success;
  const MatrixXd U = ok ? MatrixXd(llt.matrixL().transpose()) : MatrixXd();
  Eigen::SelfAdjointEigenSolver<MatrixXd> eig(k);
  MatrixXd F(k, k), tmp(k, k);
  VectorXd cc(k), a(k), b(k);
  for (size_t j = 0; j < g; ++j) {
    const Eigen::Map<const VectorXd> u(&ubuf[j * ku], k);
    score = u;
    if (ok) {
      Lg = Eigen::Map<const MatrixXd>(&Lbuf[j * ku * ku], k, k).selfadjointView<Eigen::Lower>();
      tmp.noalias() = U * Lg;
      F.noalias() = tmp * U.transpose();
      eig.compute(F);
      for (Eigen::Index i = 0; i < k; ++i) {
        const double s2 = std::max(eig.eigenvalues()[i], 0.0);
        cc[i] = s2 < 1e-14 ? 0 : (1 / std::sqrt(std::max(1 - s2, 1e-8)) - 1) / s2;
      }
      a.noalias() = U * u;
      b.noalias() = eig.eigenvectors().transpose() * a;
      b = b.cwiseProduct(cc);
      a.noalias() = eig.eigenvectors() * b;
      b.noalias() = U.transpose() * a;
      score.noalias() += Lg * b;
    }
    M.noalias() += score * score.transpose();
  }
  return M;
}

// Meat for the robust variance of the bias-corrected estimator with h != b under CR2/CR3
// (rdrobust's .rdrobust_vce_qq_cluster): scores Q_g' e_g adjusted with the cluster leverage of the
// order-q fit (design Rq, weights Wb, Gram Gq).
MatrixXd meat_qq(Mode mode, const MatrixXd& Q, const MatrixXd& Rq, const VectorXd& Wb, const MatrixXd& Gq,
                 const MatrixXd& invGq, const VectorXd& res, const Clusters& cl, const char* side) {
  const Eigen::Index k = Q.cols(), kr = Rq.cols();
  const auto ku = static_cast<size_t>(k), kru = static_cast<size_t>(kr);
  std::vector<uint32_t> local;
  const size_t n = static_cast<size_t>(Q.rows());
  const size_t g = group_rows(cl, n, local, side);
  // L_g = sum Wb r r' and u_q = sum r Wb e; P_g = sum Q_i r_i' and u_Q = sum Q_i e_i.
  std::vector<double> uq(g * kru, 0.0), L(g * kru * kru, 0.0), uQ(g * ku, 0.0), P(g * ku * kru, 0.0);
  accumulate_clusters(Rq, Wb, res, local, uq, L);
  {
    const double* qd = Q.data();
    const double* rd = Rq.data();
    const auto nn = static_cast<size_t>(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t j = local[i];
      double* pu = &uQ[j * ku];
      double* pp = &P[j * ku * kru];
      for (size_t a = 0; a < ku; ++a) {
        const double qa = qd[a * nn + i];
        pu[a] += qa * res[static_cast<Eigen::Index>(i)];
        for (size_t b = 0; b < kru; ++b) pp[b * ku + a] += qa * rd[b * nn + i];
      }
    }
  }
  MatrixXd M = MatrixXd::Zero(k, k);
  MatrixXd Lg(kr, kr), A(kr, kr);
  VectorXd score(k), adj(kr);
  Eigen::FullPivLU<MatrixXd> lu(kr, kr);
  Eigen::SelfAdjointEigenSolver<MatrixXd> eL(kr), eT;
  for (size_t j = 0; j < g; ++j) {
    Lg = Eigen::Map<const MatrixXd>(&L[j * kru * kru], kr, kr).selfadjointView<Eigen::Lower>();
    const Eigen::Map<const VectorXd> uqj(&uq[j * kru], kr);
    const Eigen::Map<const MatrixXd> Pj(&P[j * ku * kru], k, kr);
    score = Eigen::Map<const VectorXd>(&uQ[j * ku], k);
    if (mode == Mode::kCR3) {
      A = Gq - Lg;
      lu.compute(A);
      if (lu.isInvertible()) {  // else rdrobust drops the adjustment for the cluster
        adj.noalias() = lu.solve(uqj);
        score.noalias() += Pj * adj;
      }
    } else {
      eL.compute(Lg);
      const VectorXd sigma = eL.eigenvalues().cwiseMax(0.0).cwiseSqrt();
      const double tol = sigma.maxCoeff() * 1e-10;
      std::vector<Eigen::Index> keep;
      for (Eigen::Index a = 0; a < kr; ++a)
        if (sigma[a] > tol) keep.push_back(a);
      if (!keep.empty()) {
        const auto rk = static_cast<Eigen::Index>(keep.size());
        MatrixXd Vr(kr, rk);
        VectorXd sig(rk);
        for (Eigen::Index a = 0; a < rk; ++a) {
          Vr.col(a) = eL.eigenvectors().col(keep[static_cast<size_t>(a)]);
          sig[a] = sigma[keep[static_cast<size_t>(a)]];
        }
        MatrixXd T = sig.asDiagonal() * (Vr.transpose() * invGq * Vr) * sig.asDiagonal();
        T = 0.5 * (T + T.transpose()).eval();
        eT.compute(T);
        VectorXd gamma(rk);
        for (Eigen::Index a = 0; a < rk; ++a) {
          const double tau = std::min(std::max(eT.eigenvalues()[a], 0.0), 1 - 1e-10);
          gamma[a] = 1 / std::sqrt(1 - tau) - 1;
        }
        // Lambda = A diag(gamma) A', A = V_r diag(1/sig) W (W the eigenvectors of T).
        const MatrixXd Am = Vr * sig.cwiseInverse().asDiagonal() * eT.eigenvectors();
        const VectorXd t = gamma.cwiseProduct(Am.transpose() * uqj);
        adj.noalias() = Am * t;
        score.noalias() += Pj * adj;
      }
      // No positive eigenvalue (all weights 0 in the cluster): the plain score, as rdrobust.
    }
    M.noalias() += score * score.transpose();
  }
  return M;
}

// The permutation sorting x ascending (stable), by a least-significant-digit radix sort of the
// order-preserving integer image of the doubles: O(n), several times faster than std::sort here.
std::vector<uint32_t> sort_order(const std::vector<double>& x) {
  const size_t n = x.size();
  std::vector<uint32_t> idx(n), idx2(n);
  if (std::is_sorted(x.begin(), x.end())) {
    std::iota(idx.begin(), idx.end(), 0u);
    return idx;
  }
  std::vector<uint64_t> key(n), key2(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t b;
    std::memcpy(&b, &x[i], sizeof b);
    key[i] = (b >> 63) != 0 ? ~b : (b | (uint64_t{1} << 63));
    idx[i] = static_cast<uint32_t>(i);
  }
  constexpr int kBits = 11;
  constexpr uint64_t kMask = (uint64_t{1} << kBits) - 1;
  std::vector<size_t> count(size_t{1} << kBits);
  for (int shift = 0; shift < 64; shift += kBits) {
    std::fill(count.begin(), count.end(), 0);
    for (size_t i = 0; i < n; ++i) ++count[(key[i] >> shift) & kMask];
    if (n > 0 && count[(key[0] >> shift) & kMask] == n) continue;  // the same digit everywhere
    size_t sum = 0;
    for (size_t& c : count) {
      const size_t v = c;
      c = sum;
      sum += v;
    }
    for (size_t i = 0; i < n; ++i) {
      const size_t pos = count[(key[i] >> shift) & kMask]++;
      key2[pos] = key[i];
      idx2[pos] = idx[i];
    }
    key.swap(key2);
    idx.swap(idx2);
  }
  return idx;
}

double factorial(int n) {
  double f = 1;
  for (int i = 2; i <= n; ++i) f *= i;
  return f;
}

struct Setup {
  double c = 0;
  RdKernel kernel = RdKernel::kTriangular;
  Mode mode = Mode::kNN;
  int matches = 3;
};

// Caches the nearest-neighbour residuals of the last few windows of one side.
class NnCache {
 public:
  const VectorXd& get(const Side& s, Range r, int matches) {
    for (auto& [range, res] : entries_)
      if (range == r) return res;
    if (entries_.size() >= 4) entries_.erase(entries_.begin());
    entries_.emplace_back(r, nn_residuals(s, r, matches));
    return entries_.back().second;
  }

 private:
  std::vector<std::pair<Range, VectorXd>> entries_;
};

// Residuals of a fit over range r for the estimator in use.
VectorXd residuals(const Setup& st, const Side& s, Range r, NnCache& nn, const MatrixXd& R, const VectorXd& beta,
                   const VectorXd& w, const MatrixXd& invG) {
  if (st.mode == Mode::kNN) return nn.get(s, r, st.matches);
  return fit_residuals(st.mode, yvec(s, r), R, beta, w, invG, static_cast<int>(R.cols()));
}

struct BwTerm {
  double V = 0, B = 0, R = 0, rate = 0;
};

// rdrobust_bw: the variance constant V of the order-o estimate of the nu-th derivative with the
// pilot bandwidth h_V, its bias constant B from an order-o_B fit with bandwidth h_B, and the
// regularisation term R (the variance of that bias estimate, times `scale`).
class BwSide {
 public:
  BwSide(const Setup& st, const Side& s, Grouper* grouper) : st_(st), s_(s), grouper_(grouper) {}

  BwTerm term(int o, int nu, int o_B, double h_V, double h_B, double scale) {
    const auto [V_V, BConst] = vfit(o, nu, h_V);
    const Range rb = window(s_, st_.c, h_B, st_.kernel);
    require_distinct(s_, rb, o_B, h_B, "the bias-estimating polynomial");
    BwTerm t;
    t.V = (2 * nu + 1) * h_V * V_V;
    t.rate = 1.0 / (2 * o + 3);
    const double hp = std::pow(h_B, o + 1);
    if (scale <= 0) {
      // Only the coefficients are needed (the first, wide fit): solve the normal equations from
      // the moments sum w t^k, without forming the design.
      const int m = 2 * o_B + 1;
      std::vector<double> mom(static_cast<size_t>(m), 0.0), my(static_cast<size_t>(o_B) + 1, 0.0);
      for (size_t i = rb.lo; i < rb.hi; ++i) {
        const double tt = (s_.x[i] - st_.c) / h_B;
        double pw = kernel_weight(s_.x[i], st_.c, h_B, st_.kernel);
        for (int k = 0; k < m; ++k) {
          mom[static_cast<size_t>(k)] += pw;
          if (k <= o_B) my[static_cast<size_t>(k)] += pw * s_.y[i];
          pw *= tt;
        }
      }
      MatrixXd G(o_B + 1, o_B + 1);
      VectorXd rhs(o_B + 1);
      for (int j = 0; j <= o_B; ++j) {
        rhs[j] = my[static_cast<size_t>(j)];
        for (int k = 0; k <= o_B; ++k) G(j, k) = mom[static_cast<size_t>(j + k)];
      }
      const VectorXd beta = spd_inverse(G, s_, "bias-estimating polynomial fit") * rhs;
      t.B = std::sqrt(2.0 * (o + 1 - nu)) * BConst * (beta[o + 1] / hp);
      return t;
    }
    const VectorXd w = weights(s_, rb, st_.c, h_B, st_.kernel);
    const MatrixXd R = design(s_, rb, st_.c, h_B, o_B);
    const MatrixXd RW = R.array().colwise() * w.array();
    const MatrixXd G = R.transpose() * RW;
    const MatrixXd invG = spd_inverse(G, s_, "bias-estimating polynomial fit");
    const VectorXd beta = invG * (RW.transpose() * yvec(s_, rb));
    const VectorXd res = residuals(st_, s_, rb, nn_, R, beta, w, invG);
    const MatrixXd M = meat(st_.mode, R, w, res, clusters(rb), G, invG, s_.name());
    const double V_B = (invG * M * invG)(o + 1, o + 1) / (hp * hp);
    const double BWreg = 3 * BConst * BConst * V_B;
    t.B = std::sqrt(2.0 * (o + 1 - nu)) * BConst * (beta[o + 1] / hp);
    t.R = scale * (2 * (o + 1 - nu)) * BWreg;
    return t;
  }

 private:
  Clusters clusters(Range r) const {
    Clusters cl;
    if (!s_.cl.empty()) {
      cl.ids = s_.cl.data() + r.lo;
      cl.grouper = grouper_;
    }
    return cl;
  }

  // (V_V scaled by h_V^(2 nu), BConst) of the order-o fit with bandwidth h_V; cached by (o, nu)
  // since h_V is the same in every call.
  std::pair<double, double> vfit(int o, int nu, double h_V) {
    const auto key = std::make_pair(o, nu);
    for (const auto& [k, v] : vcache_)
      if (k == key) return v;
    const Range rv = window(s_, st_.c, h_V, st_.kernel);
    require_distinct(s_, rv, o, h_V, "the pilot polynomial");
    const VectorXd w = weights(s_, rv, st_.c, h_V, st_.kernel);
    const MatrixXd R = design(s_, rv, st_.c, h_V, o);
    const MatrixXd RW = R.array().colwise() * w.array();
    const MatrixXd G = R.transpose() * RW;
    const MatrixXd invG = spd_inverse(G, s_, "pilot polynomial fit");
    const VectorXd beta = invG * (RW.transpose() * yvec(s_, rv));
    const VectorXd res = residuals(st_, s_, rv, nn_, R, beta, w, invG);
    const MatrixXd M = meat(st_.mode, R, w, res, clusters(rv), G, invG, s_.name());
    const double V_V = (invG * M * invG)(nu, nu);
    // BConst = h^nu (invG_raw sum w R u^(o+1))[nu] = (invG_t sum w r t^(o+1))[nu] since u = t here.
    const VectorXd tpow = powers(s_, rv, st_.c, h_V, o + 1);
    const double BConst = (invG * (RW.transpose() * tpow))[nu];
    vcache_.push_back({key, {V_V, BConst}});
    return {V_V, BConst};
  }

  const Setup& st_;
  const Side& s_;
  Grouper* grouper_;
  NnCache nn_;
  std::vector<std::pair<std::pair<int, int>, std::pair<double, double>>> vcache_;
};

double quantile_type2(const std::vector<double>& sorted, double prob) {
  const size_t n = sorted.size();
  const double h = static_cast<double>(n) * prob;
  const double j = std::floor(h);
  const auto ji = static_cast<size_t>(j);
  if (h == j) return 0.5 * (sorted[ji - 1] + sorted[ji]);
  return sorted[ji];
}

double median3(double a, double b, double c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

struct Bandwidths {
  double h_l = 0, h_r = 0, b_l = 0, b_r = 0;
};

Bandwidths select_bandwidths(const Setup& st, const RdOptions& o, const Side& L, const Side& Rs, Grouper* grouper,
                             bool mass, size_t g_total) {
  const double c = st.c;
  const size_t N = L.size() + Rs.size();
  // Preliminary bandwidth: C_c * min(sd, IQR / 1.349) * N^(-1/5).
  std::vector<double> all;
  all.reserve(N);
  all.insert(all.end(), L.x.begin(), L.x.end());
  all.insert(all.end(), Rs.x.begin(), Rs.x.end());
  const double mean = std::accumulate(all.begin(), all.end(), 0.0) / static_cast<double>(N);
  double ss = 0;
  for (double v : all) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(N - 1));
  const double iqr = quantile_type2(all, 0.75) - quantile_type2(all, 0.25);
  const double BWp = std::min(sd, iqr / 1.349);
  const double C_c = o.kernel == RdKernel::kEpanechnikov ? 2.34 : o.kernel == RdKernel::kUniform ? 1.843 : 2.576;
  const double count =
      o.masspoints == RdMassPoints::kAdjust ? static_cast<double>(L.unique + Rs.unique) : static_cast<double>(N);
  double c_bw = C_c * BWp * std::pow(count, -0.2);
  const double bw_max_l = std::abs(c - L.x.front()), bw_max_r = std::abs(c - Rs.x.back());
  const double bw_max = std::max(bw_max_l, bw_max_r);
  if (o.bwrestrict) c_bw = std::min(c_bw, bw_max);
  std::optional<int> bwcheck = o.bwcheck;
  if (!bwcheck && mass && o.masspoints == RdMassPoints::kAdjust) bwcheck = 10;
  double bw_min_l = 0, bw_min_r = 0;
  if (bwcheck) {
    // Distance to the bwcheck-th distinct x value nearest the cutoff on each side.
    auto kth = [&](const Side& s) {
      const size_t want = std::min(static_cast<size_t>(*bwcheck), s.unique);
      size_t seen = 0;
      if (s.left) {
        for (size_t i = s.size(); i-- > 0;)
          if ((i + 1 == s.size() || s.x[i] != s.x[i + 1]) && ++seen == want) return std::abs(s.x[i] - c);
      } else {
        for (size_t i = 0; i < s.size(); ++i)
          if ((i == 0 || s.x[i] != s.x[i - 1]) && ++seen == want) return std::abs(s.x[i] - c);
      }
      return std::abs((s.left ? s.x.front() : s.x.back()) - c);
    };
    bw_min_l = kth(L) + 1e-8;
    bw_min_r = kth(Rs) + 1e-8;
    c_bw = std::max({c_bw, bw_min_l, bw_min_r});
  }
  const int p = o.p, q = o.q, nu = o.deriv;
  const double sr = o.scaleregul;
  BwSide left(st, L, grouper), right(st, Rs, grouper);
  const BwTerm d_l = left.term(q + 1, q + 1, q + 2, c_bw, bw_max_l, 0);
  const BwTerm d_r = right.term(q + 1, q + 1, q + 2, c_bw, bw_max_r, 0);

  const RdBwSelect sel = o.bwselect;
  const bool need_two = sel == RdBwSelect::kMseTwo || sel == RdBwSelect::kCerTwo || sel == RdBwSelect::kMseComb2 ||
                        sel == RdBwSelect::kCerComb2;
  const bool need_sum = sel == RdBwSelect::kMseSum || sel == RdBwSelect::kCerSum || sel == RdBwSelect::kMseComb1 ||
                        sel == RdBwSelect::kMseComb2 || sel == RdBwSelect::kCerComb1 || sel == RdBwSelect::kCerComb2;
  const bool need_rd = sel == RdBwSelect::kMseRd || sel == RdBwSelect::kCerRd || sel == RdBwSelect::kMseComb1 ||
                       sel == RdBwSelect::kMseComb2 || sel == RdBwSelect::kCerComb1 || sel == RdBwSelect::kCerComb2;
  auto cap = [&](double v, double m) { return o.bwrestrict ? std::min(v, m) : v; };

  double h_two_l = 0, h_two_r = 0, b_two_l = 0, b_two_r = 0;
  if (need_two) {
    double dl = cap(std::pow(d_l.V / (d_l.B * d_l.B), d_l.rate), bw_max_l);
    double dr = cap(std::pow(d_r.V / (d_r.B * d_r.B), d_r.rate), bw_max_r);
    if (bwcheck) {
      dl = std::max(dl, bw_min_l);
      dr = std::max(dr, bw_min_r);
    }
    const BwTerm bl = left.term(q, p + 1, q + 1, c_bw, dl, sr);
    const BwTerm br = right.term(q, p + 1, q + 1, c_bw, dr, sr);
    b_two_l = cap(std::pow(bl.V / (bl.B * bl.B + sr * bl.R), bl.rate), bw_max_l);
    b_two_r = cap(std::pow(br.V / (br.B * br.B + sr * br.R), br.rate), bw_max_r);
    const BwTerm hl = left.term(p, nu, q, c_bw, b_two_l, sr);
    const BwTerm hr = right.term(p, nu, q, c_bw, b_two_r, sr);
    h_two_l = cap(std::pow(hl.V / (hl.B * hl.B + sr * hl.R), hl.rate), bw_max_l);
    h_two_r = cap(std::pow(hr.V / (hr.B * hr.B + sr * hr.R), hr.rate), bw_max_r);
  }
  // Common bandwidths: sign -1 for the difference (rd), +1 for the sum.
  auto common = [&](double sign, double& h_out, double& b_out) {
    const double dB = d_r.B + sign * d_l.B;
    double d = cap(std::pow((d_l.V + d_r.V) / (dB * dB), d_l.rate), bw_max);
    if (bwcheck) d = std::max({d, bw_min_l, bw_min_r});
    const BwTerm bl = left.term(q, p + 1, q + 1, c_bw, d, sr);
    const BwTerm br = right.term(q, p + 1, q + 1, c_bw, d, sr);
    const double bB = br.B + sign * bl.B;
    b_out = cap(std::pow((bl.V + br.V) / (bB * bB + sr * (br.R + bl.R)), bl.rate), bw_max);
    const BwTerm hl = left.term(p, nu, q, c_bw, b_out, sr);
    const BwTerm hr = right.term(p, nu, q, c_bw, b_out, sr);
    const double hB = hr.B + sign * hl.B;
    h_out = cap(std::pow((hl.V + hr.V) / (hB * hB + sr * (hr.R + hl.R)), hl.rate), bw_max);
  };
  double h_sum = 0, b_sum = 0, h_rd = 0, b_rd = 0;
  if (need_sum) common(+1, h_sum, b_sum);
  if (need_rd) common(-1, h_rd, b_rd);

  Bandwidths bw;
  switch (sel) {
    case RdBwSelect::kMseRd:
    case RdBwSelect::kCerRd: bw = {h_rd, h_rd, b_rd, b_rd}; break;
    case RdBwSelect::kMseTwo:
    case RdBwSelect::kCerTwo: bw = {h_two_l, h_two_r, b_two_l, b_two_r}; break;
    case RdBwSelect::kMseSum:
    case RdBwSelect::kCerSum: bw = {h_sum, h_sum, b_sum, b_sum}; break;
    case RdBwSelect::kMseComb1:
    case RdBwSelect::kCerComb1: {
      const double h = std::min(h_rd, h_sum), b = std::min(b_rd, b_sum);
      bw = {h, h, b, b};
      break;
    }
    case RdBwSelect::kMseComb2:
    case RdBwSelect::kCerComb2:
      bw = {median3(h_rd, h_sum, h_two_l), median3(h_rd, h_sum, h_two_r), median3(b_rd, b_sum, b_two_l),
            median3(b_rd, b_sum, b_two_r)};
      break;
  }
  const bool cer = sel == RdBwSelect::kCerRd || sel == RdBwSelect::kCerTwo || sel == RdBwSelect::kCerSum ||
                   sel == RdBwSelect::kCerComb1 || sel == RdBwSelect::kCerComb2;
  if (cer) {
    const double base = g_total > 0 ? static_cast<double>(g_total) : static_cast<double>(N);
    const double f = std::pow(base, -(p / ((3.0 + p) * (3.0 + 2 * p))));
    bw.h_l *= f;
    bw.h_r *= f;
  }
  for (double v : {bw.h_l, bw.h_r, bw.b_l, bw.b_r})
    if (!(std::isfinite(v) && v > 0))
      throw std::invalid_argument(
          "rdrobust: the bandwidth selector did not give a finite positive bandwidth (is y constant or an exact "
          "polynomial in x near the cutoff?); give a fixed bandwidth h");
  return bw;
}

// The local polynomial estimate on one side with bandwidths h (order p) and b (order q), as in
// rdrobust's estimation step; everything is scaled by h.
struct SideEstimate {
  double tau_cl = 0, tau_bc = 0, V_cl = 0, V_rb = 0;  // for the deriv-th derivative, unscaled
  size_t n_h = 0, n_b = 0, clusters = 0;
};

SideEstimate estimate_side(const Setup& st, const RdOptions& o, const Side& s, double h, double b, bool hb_match,
                           Grouper* grouper) {
  const int p = o.p, q = o.q, nu = o.deriv;
  const double c = st.c;
  const Range rh = window(s, c, h, st.kernel), rb = window(s, c, b, st.kernel);
  require_distinct(s, rh, p, h, "the local polynomial");
  require_distinct(s, rb, q, b, "the bias-correction polynomial");
  const Range E = h > b ? rh : rb;
  SideEstimate out;
  out.n_h = rh.n();
  out.n_b = rb.n();
  const VectorXd Wh = weights(s, E, c, h, st.kernel), Wb = weights(s, E, c, b, st.kernel);
  const MatrixXd Rq = design(s, E, c, h, q);
  const MatrixXd Rp = Rq.leftCols(p + 1);
  const MatrixXd RWp = Rp.array().colwise() * Wh.array();
  const MatrixXd RWq = Rq.array().colwise() * Wb.array();
  const MatrixXd Gp = Rp.transpose() * RWp, Gq = Rq.transpose() * RWq;
  const MatrixXd invGp = spd_inverse(Gp, s, "local polynomial fit");
  const MatrixXd invGq = spd_inverse(Gq, s, "bias-correction polynomial fit");
  const auto y = yvec(s, E);
  // Q = W_h R_p - h^(p+1) (e_{p+1}' invG_q R_q' W_b)' L', L = R_p' W_h u^(p+1); with t = u here.
  const VectorXd up1 = powers(s, E, c, h, p + 1);
  const VectorXd Lv = RWp.transpose() * up1;
  const VectorXd m = (Rq * invGq.row(p + 1).transpose()).cwiseProduct(Wb);
  const MatrixXd Q = RWp - m * Lv.transpose();
  const VectorXd beta_p = invGp * (RWp.transpose() * y);
  const VectorXd beta_q = invGq * (RWq.transpose() * y);
  const VectorXd beta_bc = invGp * (Q.transpose() * y);
  const double unscale = factorial(nu) / std::pow(h, nu);
  out.tau_cl = unscale * beta_p[nu];
  out.tau_bc = unscale * beta_bc[nu];

  Clusters cl;
  std::vector<uint32_t> local;
  if (!s.cl.empty()) {
    cl.ids = s.cl.data() + E.lo;
    cl.grouper = grouper;
    out.clusters = grouper->group(cl.ids, E.n(), local);
  }
  NnCache nn;
  VectorXd res_h, res_b;
  if (st.mode == Mode::kNN) {
    res_h = nn.get(s, E, st.matches);
    res_b = res_h;
  } else {
    res_h = fit_residuals(st.mode, y, Rp, beta_p, Wh, invGp, p + 1);
    res_b = fit_residuals(st.mode, y, Rq, beta_q, Wb, invGq, q + 1);
  }
  const MatrixXd Vcl = invGp * meat(st.mode, Rp, Wh, res_h, cl, Gp, invGp, s.name()) * invGp;
  double V_rb;
  if (hb_match && clustered(st.mode)) {
    // h == b: the robust variance is that of the order-q fit itself (b = h, so W_b = W_h).
    V_rb = (invGq * meat(st.mode, Rq, Wh, res_b, cl, Gq, invGq, s.name()) * invGq)(nu, nu);
  } else if (crv(st.mode)) {
    V_rb = (invGp * meat_qq(st.mode, Q, Rq, Wb, Gq, invGq, res_b, cl, s.name()) * invGp)(nu, nu);
  } else {
    // Scores Q_i e_i; under CR1 the small-sample factor counts q + 1 parameters.
    MatrixXd M;
    if (st.mode == Mode::kCR1) {
      const size_t n = E.n();
      const size_t g = group_rows(cl, n, local, s.name());
      MatrixXd S = MatrixXd::Zero(static_cast<Eigen::Index>(g), Q.cols());
      for (size_t i = 0; i < n; ++i)
        S.row(local[i]) += Q.row(static_cast<Eigen::Index>(i)) * res_b[static_cast<Eigen::Index>(i)];
      const double nd = static_cast<double>(n), gd = static_cast<double>(g);
      M = ((nd - 1) / (nd - (q + 1))) * (gd / (gd - 1)) * (S.transpose() * S);
    } else {
      const MatrixXd S = Q.array().colwise() * res_b.array();
      M = S.transpose() * S;
    }
    V_rb = (invGp * M * invGp)(nu, nu);
  }
  out.V_cl = unscale * unscale * Vcl(nu, nu);
  out.V_rb = unscale * unscale * V_rb;
  return out;
}

void validate(const std::vector<double>& y, const std::vector<double>& x, const RdOptions& o) {
  if (y.size() != x.size())
    throw std::invalid_argument(fmt::format("rdrobust: y has {} values but x has {}", y.size(), x.size()));
  if (!o.cluster.empty() && o.cluster.size() != x.size())
    throw std::invalid_argument(
        fmt::format("rdrobust: cluster has {} ids but there are {} observations", o.cluster.size(), x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) throw std::invalid_argument(fmt::format("rdrobust: x[{}] is not a finite number", i));
    if (!std::isfinite(y[i])) throw std::invalid_argument(fmt::format("rdrobust: y[{}] is not a finite number", i));
  }
  if (!std::isfinite(o.cutoff)) throw std::invalid_argument("rdrobust: the cutoff is not a finite number");
  if (o.p < 0 || o.p > 20) throw std::invalid_argument(fmt::format("rdrobust: p = {} is not in 0..20", o.p));
  if (o.q <= o.p || o.q > 20)
    throw std::invalid_argument(
        fmt::format("rdrobust: q = {} must exceed p = {} and be at most 20 (rdrobust uses q = p + 1)", o.q, o.p));
  if (o.deriv < 0 || o.deriv > o.p)
    throw std::invalid_argument(fmt::format("rdrobust: deriv = {} is not in 0..p (p = {})", o.deriv, o.p));
  if (o.nn_matches < 1) throw std::invalid_argument("rdrobust: nn_matches must be at least 1");
  if (!(o.level > 0 && o.level < 1))
    throw std::invalid_argument(fmt::format("rdrobust: level = {} is not in (0, 1)", o.level));
  if (o.h && !(std::isfinite(*o.h) && *o.h > 0))
    throw std::invalid_argument("rdrobust: h must be a finite positive number");
  if (o.b && !(std::isfinite(*o.b) && *o.b > 0))
    throw std::invalid_argument("rdrobust: b must be a finite positive number");
  if (o.b && !o.h) throw std::invalid_argument("rdrobust: a fixed b needs a fixed h as well");
  if (!(std::isfinite(o.scaleregul) && o.scaleregul >= 0))
    throw std::invalid_argument("rdrobust: scaleregul must be a finite number >= 0");
  if (o.bwcheck && *o.bwcheck < 1) throw std::invalid_argument("rdrobust: bwcheck must be at least 1");
}

Mode resolve_mode(RdVce v, bool has_cluster) {
  if (has_cluster) {
    switch (v) {
      case RdVce::kHC2:
      case RdVce::kCR2: return Mode::kCR2;
      case RdVce::kHC3:
      case RdVce::kCR3: return Mode::kCR3;
      default: return Mode::kCR1;
    }
  }
  switch (v) {
    case RdVce::kNN: return Mode::kNN;
    case RdVce::kHC0: return Mode::kHC0;
    case RdVce::kHC1:
    case RdVce::kCR1: return Mode::kHC1;
    case RdVce::kHC2:
    case RdVce::kCR2: return Mode::kHC2;
    case RdVce::kHC3:
    case RdVce::kCR3: return Mode::kHC3;
  }
  return Mode::kNN;
}

}  // namespace

RdResult rdrobust(const std::vector<double>& y, const std::vector<double>& x, const RdOptions& options) {
  const RdOptions& o = options;
  validate(y, x, o);
  const double c = o.cutoff;
  const size_t n = x.size();
  if (n == 0) throw std::invalid_argument("rdrobust: no observations");
  const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
  if (!(c > *mn && c < *mx))
    throw std::invalid_argument(fmt::format(
        "rdrobust: the cutoff {} is not strictly inside the range of x [{}, {}]", c, *mn, *mx));

  // Dense cluster ids.
  const bool has_cluster = !o.cluster.empty();
  std::vector<uint32_t> dense;
  size_t g_total = 0;
  if (has_cluster) {
    dense.resize(n);
    std::unordered_map<int64_t, uint32_t> map;
    map.reserve(n / 4 + 16);
    for (size_t i = 0; i < n; ++i) {
      auto [it, inserted] = map.try_emplace(o.cluster[i], static_cast<uint32_t>(map.size()));
      dense[i] = it->second;
    }
    g_total = map.size();
  }

  // Sort once by x; each side is then a contiguous block.
  const std::vector<uint32_t> order = sort_order(x);
  const size_t n_left = static_cast<size_t>(
      std::partition_point(order.begin(), order.end(), [&](uint32_t i) { return x[i] < c; }) - order.begin());
  Side L, R;
  L.left = true;
  for (Side* s : {&L, &R}) {
    const size_t begin = s->left ? 0 : n_left, end = s->left ? n_left : n;
    s->x.resize(end - begin);
    s->y.resize(end - begin);
    for (size_t k = begin; k < end; ++k) {
      s->x[k - begin] = x[order[k]];
      s->y[k - begin] = y[order[k]];
    }
    if (has_cluster) {
      s->cl.resize(end - begin);
      for (size_t k = begin; k < end; ++k) s->cl[k - begin] = dense[order[k]];
    }
  }
  for (Side* s : {&L, &R}) {
    if (s->size() < kRdMinObsPerSide)
      throw std::invalid_argument(fmt::format("rdrobust: {} observations on the {} side of the cutoff {}; at least {} needed",
                                              s->size(), s->name(), c, kRdMinObsPerSide));
    const size_t m = s->size();
    s->dups.assign(m, 1);
    s->dupsid.assign(m, 1);
    int longest = 1;
    for (size_t i = 0; i < m;) {
      size_t j = i;
      while (j < m && s->x[j] == s->x[i]) ++j;
      for (size_t k = i; k < j; ++k) {
        s->dups[k] = static_cast<int>(j - i);
        s->dupsid[k] = static_cast<int>(k - i + 1);
      }
      ++s->unique;
      longest = std::max(longest, static_cast<int>(j - i));
      i = j;
    }
    // Prefix sums for the nearest-neighbour means over long runs of ties (see nn_residuals).
    if (longest > 16) {
      s->ysum.assign(m + 1, 0.0L);
      for (size_t i = 0; i < m; ++i) s->ysum[i + 1] = s->ysum[i] + s->y[i];
    }
  }

  Setup st;
  st.c = c;
  st.kernel = o.kernel;
  st.mode = resolve_mode(o.vce, has_cluster);
  st.matches = o.nn_matches;

  RdResult r;
  r.vce = to_vce(st.mode);
  r.n_left = L.size();
  r.n_right = R.size();
  r.n_unique_left = L.unique;
  r.n_unique_right = R.unique;
  if (o.masspoints != RdMassPoints::kOff) {
    const double mass_l = 1 - static_cast<double>(L.unique) / static_cast<double>(L.size());
    const double mass_r = 1 - static_cast<double>(R.unique) / static_cast<double>(R.size());
    r.mass_points = mass_l >= 0.2 || mass_r >= 0.2;
  }

  Grouper grouper(g_total);
  Bandwidths bw;
  if (o.h) {
    bw.h_l = bw.h_r = *o.h;
    bw.b_l = bw.b_r = o.b ? *o.b : *o.h;
  } else {
    // rdrobust counts the clusters of each side separately for the CER rate.
    size_t g_sides = 0;
    if (has_cluster) {
      std::vector<uint32_t> local;
      g_sides = grouper.group(L.cl.data(), L.size(), local) + grouper.group(R.cl.data(), R.size(), local);
    }
    bw = select_bandwidths(st, o, L, R, &grouper, r.mass_points, g_sides);
  }
  r.h_left = bw.h_l;
  r.h_right = bw.h_r;
  r.b_left = bw.b_l;
  r.b_right = bw.b_r;

  const bool hb_match = bw.h_l == bw.b_l && bw.h_r == bw.b_r;
  const SideEstimate el = estimate_side(st, o, L, bw.h_l, bw.b_l, hb_match, &grouper);
  const SideEstimate er = estimate_side(st, o, R, bw.h_r, bw.b_r, hb_match, &grouper);
  r.n_eff_left = el.n_h;
  r.n_eff_right = er.n_h;
  r.n_b_left = el.n_b;
  r.n_b_right = er.n_b;
  r.clusters_left = el.clusters;
  r.clusters_right = er.clusters;

  r.coef_conventional = er.tau_cl - el.tau_cl;
  r.coef_bias_corrected = er.tau_bc - el.tau_bc;
  r.se_conventional = std::sqrt(el.V_cl + er.V_cl);
  r.se_robust = std::sqrt(el.V_rb + er.V_rb);
  const boost::math::normal normal;
  const double z = -boost::math::quantile(normal, (1 - o.level) / 2);
  r.ci_conventional_low = r.coef_conventional - z * r.se_conventional;
  r.ci_conventional_high = r.coef_conventional + z * r.se_conventional;
  r.ci_robust_low = r.coef_bias_corrected - z * r.se_robust;
  r.ci_robust_high = r.coef_bias_corrected + z * r.se_robust;
  r.z_conventional = r.coef_conventional / r.se_conventional;
  r.z_robust = r.coef_bias_corrected / r.se_robust;
  auto pval = [&](double t) { return std::isfinite(t) ? 2 * boost::math::cdf(normal, -std::abs(t)) : std::nan(""); };
  r.p_value_conventional = pval(r.z_conventional);
  r.p_value_robust = pval(r.z_robust);
  return r;
}

}  // namespace tallyscope::stats
