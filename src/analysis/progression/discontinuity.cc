// The regression discontinuity at the cutoff, in arrival rank: rdrobust's local polynomial with
// robust bias-corrected inference, its fitted lines for the charts, and placebo cutoffs.
#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>

#include <Eigen/Dense>

#include "analysis/progression/steps.h"
#include "stats/rd.h"

namespace tallyscope::progression_steps {
namespace {

// The RD's observations: the arrived sheets with a margin, in arrival order.
struct RdSample {
  std::vector<double> xs, ys;  // rank relative to the cutoff, per-sheet margin
  std::vector<int64_t> cl;     // polling place
  std::vector<size_t> pos;     // rank of each observation
};

RdSample rd_sample(const Count& c) {
  RdSample d;
  for (size_t i = 0; i < c.order.size(); ++i) {
    if (std::isnan(c.y[c.order[i]])) continue;
    d.xs.push_back(static_cast<double>(i) - static_cast<double>(c.n_early));
    d.ys.push_back(c.y[c.order[i]]);
    d.cl.push_back(c.place[c.order[i]]);
    d.pos.push_back(i);
  }
  return d;
}

// The fitted lines, for charts: weighted least squares of order p on each side within h.
void rd_fit_lines(const Count& c, const RdSample& d, ProgressionResult& r) {
  const std::vector<double>& xs = d.xs;
  const std::vector<double>& ys = d.ys;
  for (int side = 0; side < 2; ++side) {
    const bool right = side == 1;
    const double h = right ? r.rd.result.h_right : r.rd.result.h_left;
    const int p = c.opt.rd_p;
    Eigen::MatrixXd xtwx = Eigen::MatrixXd::Zero(p + 1, p + 1);
    Eigen::VectorXd xtwy = Eigen::VectorXd::Zero(p + 1);
    size_t used = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      if ((xs[i] >= 0) != right || std::abs(xs[i]) > h) continue;
      double w = 1 - std::abs(xs[i]) / h;
      if (w <= 0) continue;
      Eigen::VectorXd row(p + 1);
      for (int k = 0; k <= p; ++k) row[k] = std::pow(xs[i] / h, k);
      xtwx += w * row * row.transpose();
      xtwy += w * ys[i] * row;
      ++used;
    }
    if (used <= static_cast<size_t>(p)) continue;
    Eigen::VectorXd beta = xtwx.ldlt().solve(xtwy);
    constexpr int kSteps = 24;
    for (int k = 0; k <= kSteps; ++k) {
      double u = (right ? 1.0 : -1.0) * static_cast<double>(k) / kSteps;  // x / h
      double yhat = 0;
      for (int e = 0; e <= p; ++e) yhat += beta[e] * std::pow(u, e);
      double rank = static_cast<double>(c.n_early) + u * h;
      r.rd.fit.push_back({rank / static_cast<double>(c.order.size()), yhat, right});
    }
  }
}

// Placebo cutoffs where nothing happened: each side of the real cutoff on its own, so a placebo
// never straddles it. Estimated in parallel; the results do not depend on the thread count.
void rd_placebos(const Count& c, const RdSample& d, const stats::RdOptions& ro, ProgressionResult& r) {
  const ProgressionOptions& opt = c.opt;
  const std::vector<double>& xs = d.xs;
  const std::vector<double>& ys = d.ys;
  const std::vector<int64_t>& cl = d.cl;
  const size_t m = xs.size();
  size_t first_late = 0;
  while (first_late < m && xs[first_late] < 0) ++first_late;
  const std::vector<PlaceboWindow> jobs = placebo_windows(m, first_late, r.rd.result.h_left, opt.placebos);
  r.rd.placebos_attempted = jobs.size();
  std::vector<std::optional<ProgressionResult::Rd::Placebo>> out(jobs.size());
  std::vector<std::exception_ptr> failures(jobs.size());
  auto work = [&](size_t from, size_t step) {
    for (size_t j = from; j < jobs.size(); j += step) {
      const PlaceboWindow& job = jobs[j];
      std::vector<double> px(xs.begin() + static_cast<long>(job.lo), xs.begin() + static_cast<long>(job.hi));
      std::vector<double> py(ys.begin() + static_cast<long>(job.lo), ys.begin() + static_cast<long>(job.hi));
      stats::RdOptions po = ro;
      po.cutoff = xs[job.at];
      if (opt.rd_cluster) po.cluster.assign(cl.begin() + static_cast<long>(job.lo), cl.begin() + static_cast<long>(job.hi));
      try {
        auto res = stats::rdrobust(py, px, po);
        out[j] = ProgressionResult::Rd::Placebo{static_cast<double>(d.pos[job.at]) / c.order.size(),
                                                res.coef_conventional, res.ci_robust_low, res.ci_robust_high};
      } catch (const std::invalid_argument&) {
        // An unusable placebo window (too few points or distinct values): left out.
      } catch (...) {
        failures[j] = std::current_exception();  // rethrown on the calling thread
      }
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned threads = std::min(opt.threads ? opt.threads : cores, 4 * cores);
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(1, jobs.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
  work(0, threads);
  for (auto& t : pool) t.join();
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
  size_t large = 0, significant = 0;
  for (const auto& p : out) {
    if (!p) continue;
    r.rd.placebos.push_back(*p);
    large += std::abs(p->estimate) >= std::abs(r.rd.result.coef_conventional);
    significant += p->ci_low > 0 || p->ci_high < 0;
  }
  if (!r.rd.placebos.empty()) {
    r.rd.placebo_share_as_large = static_cast<double>(large) / r.rd.placebos.size();
    r.rd.placebo_share_significant = static_cast<double>(significant) / r.rd.placebos.size();
  }
}

}  // namespace

std::vector<PlaceboWindow> placebo_windows(size_t m, size_t first_late, double h, int placebos) {
  std::vector<PlaceboWindow> jobs;
  const size_t margin = std::max<size_t>(200, static_cast<size_t>(h) + 1);
  for (int k = 0; k < placebos; ++k) {
    size_t at = static_cast<size_t>((static_cast<double>(k) + 0.5) / placebos * static_cast<double>(m));
    bool left = at < first_late;
    size_t lo = left ? 0 : first_late, hi = left ? first_late : m;
    if (at < lo + margin || at + margin > hi) continue;  // too near an end or the real cutoff
    jobs.push_back({lo, hi, at});
  }
  return jobs;
}

void discontinuity(const Count& c, ProgressionResult& r) {
  const ProgressionOptions& opt = c.opt;
  const RdSample d = rd_sample(c);
  stats::RdOptions ro;
  ro.p = opt.rd_p;
  ro.q = opt.rd_p + 1;
  if (opt.rd_cluster) ro.cluster = d.cl;
  r.rd.clustered = opt.rd_cluster;
  try {
    r.rd.result = stats::rdrobust(d.ys, d.xs, ro);
    r.rd.available = true;
  } catch (const std::invalid_argument& e) {
    r.rd.reason = e.what();
  }
  if (r.rd.available && ro.kernel == stats::RdKernel::kTriangular) rd_fit_lines(c, d, r);
  if (r.rd.available && opt.placebos > 0) rd_placebos(c, d, ro, r);
}

}  // namespace tallyscope::progression_steps
