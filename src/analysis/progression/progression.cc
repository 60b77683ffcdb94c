#include "analysis/progression/progression.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <exception>
#include <thread>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "analysis/common/text.h"
#include "io/error.h"
#include "io/timestamp.h"
#include "model/place_match.h"
#include "stats/ols.h"

namespace tallyscope {
namespace {

double pooled_margin(int64_t lead, int64_t run, int64_t valid) {
  return valid > 0 ? 100.0 * static_cast<double>(lead - run) / static_cast<double>(valid) : std::nan("");
}

// OLS of y on a constant and the given columns (or absorbing `absorb`), clustered by `cluster`.
stats::OlsResult fit(const std::vector<std::vector<double>>& cols, const std::vector<std::string>& names,
                     const std::vector<double>& y, const std::vector<uint32_t>& cluster,
                     const std::vector<uint32_t>& absorb = {}) {
  const size_t n = y.size();
  const bool constant = absorb.empty();
  Eigen::MatrixXd X(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols.size() + (constant ? 1 : 0)));
  std::vector<std::string> all;
  Eigen::Index c = 0;
  if (constant) {
    X.col(c++).setOnes();
    all.push_back("const");
  }
  for (size_t k = 0; k < cols.size(); ++k, ++c) {
    for (size_t i = 0; i < n; ++i) X(static_cast<Eigen::Index>(i), c) = cols[k][i];
    all.push_back(names[k]);
  }
  Eigen::VectorXd Y = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(n));
  stats::OlsOptions o;
  o.vce = stats::OlsVce::kCluster;
  o.cluster = cluster;
  o.absorb = absorb;
  return stats::ols(X, Y, all, o);
}

// Index of a named coefficient.
Eigen::Index coef_index(const stats::OlsResult& r, const std::string& name) {
  for (size_t i = 0; i < r.names.size(); ++i)
    if (r.names[i] == name) return static_cast<Eigen::Index>(i);
  throw std::logic_error("no coefficient " + name);
}

std::string pts(double x) { return fmt::format("{:.2f}", x); }

}  // namespace

ProgressionResult analyze_progression(const Election& fc, const Arrival& arrival, const ProgressionOptions& opt,
                                      const Election* baseline) {
  ProgressionResult r;
  const size_t n = fc.sheets();
  if (arrival.sheets() != n) throw UsageError("the arrival data does not describe this final count");
  r.source = fc.source();
  r.arrival_source = fmt::format("{}", fmt::join(arrival.sources, ", "));
  r.kind = arrival.kind;
  r.sheets = n;
  r.offset_minutes = arrival.offset_minutes;

  // The two choices whose margin is studied.
  std::vector<std::pair<int64_t, size_t>> totals;
  for (size_t c = 0; c < fc.choices().size(); ++c) {
    int64_t t = 0;
    for (size_t s = 0; s < n; ++s) t += fc.choices()[c].or_zero(s);
    totals.push_back({-t, c});
  }
  std::sort(totals.begin(), totals.end());
  if (totals.size() < 2) throw UsageError("the progression needs at least two choices");
  auto choice = [&](const std::string& name, size_t fallback) -> size_t {
    if (name.empty()) return totals[fallback].second;
    int k = fc.find_choice(name);
    if (k < 0) throw UsageError(fmt::format("'{}' is not a choice of {}", name, fc.source()));
    return static_cast<size_t>(k);
  };
  const size_t li = choice(opt.leader, 0), ri = choice(opt.runner_up, 1);
  if (li == ri) throw UsageError("the leader and the runner-up must be two different choices");
  const CountColumn& L = fc.choices()[li];
  const CountColumn& R = fc.choices()[ri];
  r.leader = L.name;
  r.runner_up = R.name;
  const auto& valid = fc.valid();
  int64_t total_valid = 0, total_lead = 0, total_run = 0;
  for (size_t s = 0; s < n; ++s) {
    total_valid += valid[s];
    total_lead += L.or_zero(s);
    total_run += R.or_zero(s);
  }
  r.margin_final = pooled_margin(total_lead, total_run, total_valid);
  std::vector<double> y(n, std::nan(""));  // per-sheet margin, points
  for (size_t s = 0; s < n; ++s)
    if (valid[s] > 0) {
      y[s] = 100.0 * static_cast<double>(L.or_zero(s) - R.or_zero(s)) / static_cast<double>(valid[s]);
      ++r.with_votes;
    }

  // Arrival order: by time (or snapshot), ties in the final count's file order.
  std::vector<size_t> order;
  for (size_t s = 0; s < n; ++s)
    if (arrival.has_arrived(s)) order.push_back(s);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return arrival.order[a] < arrival.order[b]; });
  r.arrived = order.size();
  r.never_arrived = n - order.size();
  if (order.empty()) throw UsageError("no sheet of the final count arrived in the count examined");

  // The cutoff.
  std::vector<int64_t> cum_valid(order.size());
  {
    int64_t acc = 0;
    for (size_t i = 0; i < order.size(); ++i) cum_valid[i] = acc += valid[order[i]];
  }
  size_t n_early = 0;  // early = order[0 .. n_early)
  if (arrival.kind == Arrival::Kind::kSnapshots) {
    if (opt.cutoff_ms || opt.cutoff_share)
      throw UsageError("with snapshots the cutoff is a snapshot (--cutoff-snapshot), not a time or share");
    if (opt.cutoff_snapshot >= arrival.snapshot_labels.size())
      throw UsageError(fmt::format("--cutoff-snapshot {} is outside the {} snapshots given", opt.cutoff_snapshot,
                                   arrival.snapshot_labels.size()));
    while (n_early < order.size() && arrival.order[order[n_early]] <= static_cast<int64_t>(opt.cutoff_snapshot)) ++n_early;
    r.cutoff_rule = fmt::format("the sheets in snapshot {} ({})", opt.cutoff_snapshot + 1,
                                arrival.snapshot_labels[opt.cutoff_snapshot]);
  } else {
    const int64_t first = arrival.order[order.front()], last = arrival.order[order.back()];
    if (opt.cutoff_ms) {
      if (*opt.cutoff_ms < first || *opt.cutoff_ms >= last)
        throw UsageError(fmt::format("the cutoff {} is outside the arrivals, which run from {} to {}",
                                     format_timestamp(*opt.cutoff_ms, arrival.offset_minutes),
                                     format_timestamp(first, arrival.offset_minutes),
                                     format_timestamp(last, arrival.offset_minutes)));
      r.cutoff_ms = *opt.cutoff_ms;
      r.cutoff_rule = fmt::format("the given time {}", format_timestamp(r.cutoff_ms, arrival.offset_minutes));
    } else if (opt.cutoff_share) {
      double share = *opt.cutoff_share;
      double arrived_share = static_cast<double>(cum_valid.back()) / static_cast<double>(total_valid);
      if (!(share > 0 && share < arrived_share))
        throw UsageError(fmt::format("--cutoff-share {} is outside the data: it must be above 0 and below the {:.4f} "
                                     "of valid votes that arrived", share, arrived_share));
      size_t i = 0;
      while (i < order.size() && static_cast<double>(cum_valid[i]) < share * static_cast<double>(total_valid)) ++i;
      r.cutoff_ms = arrival.order[order[i]];
      r.cutoff_rule = fmt::format("when {:.2f}% of the final valid votes had arrived", 100 * share);
    } else {
      // The longest pause between arrivals, leaving out the first and last 1% of the count.
      size_t lo = order.size() / 100, hi = order.size() - order.size() / 100;
      int64_t best = -1;
      size_t at = lo;
      for (size_t i = std::max<size_t>(lo, 1); i < hi; ++i) {
        int64_t gap = arrival.order[order[i]] - arrival.order[order[i - 1]];
        if (gap > best) {
          best = gap;
          at = i - 1;
        }
      }
      r.cutoff_ms = arrival.order[order[at]];
      r.cutoff_rule = fmt::format("the longest pause in arrivals ({:.1f} hours, after {})",
                                  static_cast<double>(best) / 3.6e6, format_timestamp(r.cutoff_ms, arrival.offset_minutes));
    }
    while (n_early < order.size() && arrival.order[order[n_early]] <= r.cutoff_ms) ++n_early;
  }
  if (n_early == 0 || n_early == n)
    throw UsageError("the cutoff leaves no sheet on one side: choose one inside the count");
  // With times, "late" must hold sheets that arrived after the cutoff, not only sheets that never
  // arrived (with snapshots, the sheets missing from the cutoff snapshot are the late ones).
  if (arrival.kind == Arrival::Kind::kTimestamps && n_early == order.size())
    throw UsageError("the cutoff is at or after the last arrival: no sheet arrived after it");
  std::vector<uint8_t> late(n, 1);
  for (size_t i = 0; i < n_early; ++i) late[order[i]] = 0;
  r.early = n_early;
  r.late = n - n_early;
  r.cutoff_sheet_share = static_cast<double>(n_early) / static_cast<double>(n);
  r.cutoff_vote_share = static_cast<double>(cum_valid[n_early - 1]) / static_cast<double>(total_valid);
  {
    int64_t el = 0, er = 0, ev = 0;
    for (size_t i = 0; i < n_early; ++i) {
      el += L.or_zero(order[i]);
      er += R.or_zero(order[i]);
      ev += valid[order[i]];
    }
    r.margin_early = pooled_margin(el, er, ev);
    r.margin_late = pooled_margin(total_lead - el, total_run - er, total_valid - ev);
  }

  // Trajectory (cumulative, in arrival order) and the binned per-sheet margin.
  {
    int64_t cl = 0, cr = 0, cv = 0;
    const size_t step = std::max<size_t>(1, order.size() / std::max<size_t>(1, opt.trajectory_points));
    for (size_t i = 0; i < order.size(); ++i) {
      size_t s = order[i];
      cl += L.or_zero(s);
      cr += R.or_zero(s);
      cv += valid[s];
      bool boundary = arrival.kind == Arrival::Kind::kSnapshots
                          ? (i + 1 == order.size() || arrival.order[order[i + 1]] != arrival.order[s])
                          : ((i + 1) % step == 0 || i + 1 == n_early || i + 1 == order.size());
      if (boundary && cv > 0)
        r.trajectory.push_back({static_cast<double>(i + 1) / n, static_cast<double>(cv) / total_valid,
                                pooled_margin(cl, cr, cv), static_cast<double>(cl) / cv, static_cast<double>(cr) / cv,
                                arrival.order[s]});
    }
    if (r.never_arrived > 0 && total_valid > 0)  // the final count, with the sheets that never arrived
      r.trajectory.push_back({1.0, 1.0, r.margin_final, static_cast<double>(total_lead) / total_valid,
                              static_cast<double>(total_run) / total_valid,
                              arrival.kind == Arrival::Kind::kSnapshots
                                  ? static_cast<int64_t>(arrival.snapshot_labels.size())
                                  : arrival.order[order.back()]});
    auto bins = [&](size_t from, size_t to, bool is_late, size_t count) {
      std::vector<size_t> idx;
      for (size_t i = from; i < to; ++i)
        if (!std::isnan(y[order[i]])) idx.push_back(i);
      if (idx.empty()) return;
      count = std::max<size_t>(1, std::min(count, idx.size() / 10 + 1));
      for (size_t b = 0; b < count; ++b) {
        size_t lo = idx.size() * b / count, hi = idx.size() * (b + 1) / count;
        if (hi <= lo) continue;
        double sum = 0, sq = 0;
        for (size_t k = lo; k < hi; ++k) sum += y[order[idx[k]]];
        double mean = sum / static_cast<double>(hi - lo);
        for (size_t k = lo; k < hi; ++k) sq += (y[order[idx[k]]] - mean) * (y[order[idx[k]]] - mean);
        double sd = hi - lo > 1 ? std::sqrt(sq / static_cast<double>(hi - lo - 1)) : 0;
        double mid = (static_cast<double>(idx[lo]) + static_cast<double>(idx[hi - 1])) / 2 + 0.5;
        r.smoother.push_back({mid / static_cast<double>(order.size()), mean, sd / std::sqrt(static_cast<double>(hi - lo)),
                              hi - lo, is_late});
      }
    };
    size_t early_bins = std::max<size_t>(1, static_cast<size_t>(std::llround(
                                                static_cast<double>(opt.smoother_bins) * n_early / order.size())));
    bins(0, n_early, false, early_bins);
    bins(n_early, order.size(), true, std::max<size_t>(1, opt.smoother_bins - std::min(early_bins, opt.smoother_bins - 1)));
  }

  // Polling place: the finest geography level (clusters), with a fallback to the sheet itself.
  const Geography& g = fc.geography();
  std::vector<uint32_t> place(n);
  if (g.levels() > 0) {
    r.cluster_level = g.level_name(g.levels() - 1);
    for (size_t s = 0; s < n; ++s) place[s] = g.node_of(g.levels() - 1, s);
  } else {
    r.cluster_level = "sheet";
    std::iota(place.begin(), place.end(), 0u);
  }

  // Naive checks, as published.
  if (arrival.kind == Arrival::Kind::kTimestamps) {
    auto& nv = r.naive;
    nv.available = true;
    nv.last_share = opt.naive_last_share;
    const double arrived_valid = static_cast<double>(cum_valid.back());
    int64_t fl = 0, fr = 0, fv = 0, ll = 0, lr = 0, lv = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      size_t s = order[i];
      bool last = static_cast<double>(cum_valid[i] - valid[s]) >= (1 - opt.naive_last_share) * arrived_valid;
      (last ? ll : fl) += L.or_zero(s);
      (last ? lr : fr) += R.or_zero(s);
      (last ? lv : fv) += valid[s];
    }
    nv.margin_first = pooled_margin(fl, fr, fv);
    nv.margin_last = pooled_margin(ll, lr, lv);
    nv.difference = nv.margin_last - nv.margin_first;
    // Straight lines of the per-sheet margin against the share of votes counted, each side.
    const double cut_x = static_cast<double>(cum_valid[n_early - 1]) / arrived_valid;
    double at_cut[2] = {0, 0}, var_cut[2] = {0, 0};
    bool ok = true;
    for (int side = 0; side < 2 && ok; ++side) {
      std::vector<double> xs, ys;
      std::vector<uint32_t> cl;
      for (size_t i = side == 0 ? 0 : n_early; i < (side == 0 ? n_early : order.size()); ++i) {
        if (std::isnan(y[order[i]])) continue;
        xs.push_back(static_cast<double>(cum_valid[i]) / arrived_valid - cut_x);
        ys.push_back(y[order[i]]);
        cl.push_back(static_cast<uint32_t>(i));
      }
      if (ys.size() < 10) {
        ok = false;
        break;
      }
      Eigen::MatrixXd X(static_cast<Eigen::Index>(ys.size()), 2);
      for (size_t i = 0; i < ys.size(); ++i) {
        X(static_cast<Eigen::Index>(i), 0) = 1;
        X(static_cast<Eigen::Index>(i), 1) = xs[i];
      }
      stats::OlsOptions o;
      o.vce = stats::OlsVce::kHC1;
      auto res = stats::ols(X, Eigen::Map<Eigen::VectorXd>(ys.data(), static_cast<Eigen::Index>(ys.size())),
                            {"const", "share"}, o);
      at_cut[side] = res.coef(0);  // x is centred at the cutoff
      var_cut[side] = res.vcov(0, 0);
    }
    if (ok) {
      nv.line_left_at_cutoff = at_cut[0];
      nv.line_right_at_cutoff = at_cut[1];
      nv.line_jump = at_cut[1] - at_cut[0];
      nv.line_jump_se = std::sqrt(var_cut[0] + var_cut[1]);
    }
    // The cumulative margin's trend over the second half of the pre-cutoff count, extrapolated.
    std::vector<double> xs, ys;
    for (const auto& p : r.trajectory)
      if (p.time_ms <= r.cutoff_ms && p.vote_share >= r.cutoff_vote_share / 2) {
        xs.push_back(p.vote_share);
        ys.push_back(p.margin_points);
      }
    if (xs.size() >= 3) {
      double mx = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
      double my = std::accumulate(ys.begin(), ys.end(), 0.0) / ys.size();
      double sxy = 0, sxx = 0;
      for (size_t i = 0; i < xs.size(); ++i) {
        sxy += (xs[i] - mx) * (ys[i] - my);
        sxx += (xs[i] - mx) * (xs[i] - mx);
      }
      double slope = sxx > 0 ? sxy / sxx : 0;
      double end_share = static_cast<double>(cum_valid.back()) / total_valid;
      nv.extrapolated_final = my + slope * (end_share - mx);
      int64_t al = 0, ar = 0;
      for (size_t s : order) {
        al += L.or_zero(s);
        ar += R.or_zero(s);
      }
      nv.actual_final = pooled_margin(al, ar, cum_valid.back());
    }
    // Sorting the times as text instead of as times.
    if (!arrival.time_text.empty()) {
      std::vector<size_t> by_text = order;
      std::stable_sort(by_text.begin(), by_text.end(),
                       [&](size_t a, size_t b) { return arrival.time_text[a] < arrival.time_text[b]; });
      for (size_t i = 0; i < order.size(); ++i)
        nv.text_sort_moved += arrival.order[by_text[i]] != arrival.order[order[i]];
      nv.text_sort_checked = true;
    }
  } else {
    r.naive.reason = "the naive checks need the order of arrival within the count (per-sheet times, --arrival)";
  }

  // Regression discontinuity at the cutoff, in arrival rank.
  if (arrival.kind == Arrival::Kind::kTimestamps) {
    std::vector<double> xs, ys;
    std::vector<int64_t> cl;
    std::vector<size_t> pos;  // rank of each observation
    for (size_t i = 0; i < order.size(); ++i) {
      if (std::isnan(y[order[i]])) continue;
      xs.push_back(static_cast<double>(i) - static_cast<double>(n_early));
      ys.push_back(y[order[i]]);
      cl.push_back(place[order[i]]);
      pos.push_back(i);
    }
    stats::RdOptions ro;
    ro.p = opt.rd_p;
    ro.q = opt.rd_p + 1;
    if (opt.rd_cluster) ro.cluster = cl;
    r.rd.clustered = opt.rd_cluster;
    try {
      r.rd.result = stats::rdrobust(ys, xs, ro);
      r.rd.available = true;
    } catch (const std::invalid_argument& e) {
      r.rd.reason = e.what();
    }
    if (r.rd.available && ro.kernel == stats::RdKernel::kTriangular) {
      // The fitted lines, for charts: weighted least squares of order p on each side within h.
      for (int side = 0; side < 2; ++side) {
        const bool right = side == 1;
        const double h = right ? r.rd.result.h_right : r.rd.result.h_left;
        const int p = opt.rd_p;
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
          for (int d = 0; d <= p; ++d) yhat += beta[d] * std::pow(u, d);
          double rank = static_cast<double>(n_early) + u * h;
          r.rd.fit.push_back({rank / static_cast<double>(order.size()), yhat, right});
        }
      }
    }
    // Placebo cutoffs where nothing happened: each side of the real cutoff on its own, so a
    // placebo never straddles it.
    if (r.rd.available && opt.placebos > 0) {
      const size_t m = xs.size();
      size_t first_late = 0;
      while (first_late < m && xs[first_late] < 0) ++first_late;
      struct Job {
        size_t lo, hi, at;  // sample [lo, hi), placebo cutoff at observation index `at`
      };
      std::vector<Job> jobs;
      const double h = r.rd.result.h_left;
      const size_t margin = std::max<size_t>(200, static_cast<size_t>(h) + 1);
      for (int k = 0; k < opt.placebos; ++k) {
        size_t at = static_cast<size_t>((static_cast<double>(k) + 0.5) / opt.placebos * static_cast<double>(m));
        bool left = at < first_late;
        size_t lo = left ? 0 : first_late, hi = left ? first_late : m;
        if (at < lo + margin || at + margin > hi) continue;  // too near an end or the real cutoff
        jobs.push_back({lo, hi, at});
      }
      r.rd.placebos_attempted = jobs.size();
      std::vector<std::optional<ProgressionResult::Rd::Placebo>> out(jobs.size());
      std::vector<std::exception_ptr> failures(jobs.size());
      auto work = [&](size_t from, size_t step) {
        for (size_t j = from; j < jobs.size(); j += step) {
          const Job& job = jobs[j];
          std::vector<double> px(xs.begin() + static_cast<long>(job.lo), xs.begin() + static_cast<long>(job.hi));
          std::vector<double> py(ys.begin() + static_cast<long>(job.lo), ys.begin() + static_cast<long>(job.hi));
          stats::RdOptions po = ro;
          po.cutoff = xs[job.at];
          if (opt.rd_cluster) po.cluster.assign(cl.begin() + static_cast<long>(job.lo), cl.begin() + static_cast<long>(job.hi));
          try {
            auto res = stats::rdrobust(py, px, po);
            out[j] = ProgressionResult::Rd::Placebo{static_cast<double>(pos[job.at]) / order.size(),
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
  } else {
    r.rd.reason = "a discontinuity needs the order of arrival within the count (per-sheet times, --arrival); "
                  "snapshots only say which sheets were in by when";
  }

  // Composition: the late-minus-early gap with fixed effects at each level in turn.
  std::vector<size_t> rows;
  for (size_t s = 0; s < n; ++s)
    if (!std::isnan(y[s])) rows.push_back(s);
  std::vector<double> yv, latev;
  std::vector<uint32_t> clv;
  for (size_t s : rows) {
    yv.push_back(y[s]);
    latev.push_back(late[s]);
    clv.push_back(place[s]);
  }
  auto add_row = [&](const std::string& level, const std::vector<uint32_t>& absorb, size_t groups) {
    try {
      auto res = fit({latev}, {"late"}, yv, clv, absorb);
      auto k = coef_index(res, "late");
      ProgressionResult::Composition c{level, res.coef(k), res.se(k), res.n, groups, 0};
      r.composition.push_back(c);
    } catch (const std::invalid_argument& e) {
      r.caveats.push_back(fmt::format("the gap with {} fixed effects could not be estimated: {}", level, e.what()));
    }
  };
  add_row("none", {}, 1);
  for (size_t l = 0; l < g.levels(); ++l) {
    std::vector<uint32_t> absorb;
    for (size_t s : rows) absorb.push_back(g.node_of(l, s));
    add_row(g.level_name(l), absorb, g.node_count(l));
  }
  if (!r.composition.empty() && r.composition[0].level == "none")
    for (auto& c : r.composition)
      c.explained = r.composition[0].gap_points != 0 ? 1 - c.gap_points / r.composition[0].gap_points : 0;

  // Within polling places, with a trend in arrival order.
  if (arrival.kind == Arrival::Kind::kTimestamps && g.levels() > 0) {
    std::vector<double> wy, wl, wt;
    std::vector<uint32_t> wc;
    for (size_t i = 0; i < order.size(); ++i) {
      size_t s = order[i];
      if (std::isnan(y[s])) continue;
      wy.push_back(y[s]);
      wl.push_back(late[s]);
      wt.push_back(static_cast<double>(i) / static_cast<double>(order.size()));
      wc.push_back(place[s]);
    }
    r.within.level = r.cluster_level;
    try {
      auto res = fit({wl, wt}, {"late", "trend"}, wy, wc, wc);
      auto k = coef_index(res, "late"), t = coef_index(res, "trend");
      r.within.available = true;
      r.within.gap_points = res.coef(k);
      r.within.se = res.se(k);
      r.within.trend_points = res.coef(t);
      r.within.trend_se = res.se(t);
      r.within.n = res.n;
    } catch (const std::invalid_argument& e) {
      r.within.reason = e.what();
    }
  } else {
    r.within.reason = "needs per-sheet arrival times and a geography";
  }

  // The baseline: were the late places already different in the previous election?
  if (baseline) {
    auto& b = r.baseline;
    b.source = baseline->source();
    try {
      PlaceMatch m = match_places(fc, *baseline, opt.baseline_level, opt.baseline_levels);
      b.level = fc.geography().level_name(m.join_level_a);
      b.sheets_matched = m.sheets_matched;
      b.places = m.places_a;
      b.places_matched = m.places_matched;
      b.fuzzy = m.fuzzy_places;
      // Align the baseline's choices with the leader and runner-up.
      std::string bl = opt.baseline_leader, br = opt.baseline_runner_up;
      if (bl.empty() && br.empty()) {
        if (baseline->find_choice(r.leader) >= 0 && baseline->find_choice(r.runner_up) >= 0) {
          bl = r.leader;
          br = r.runner_up;
        } else if (baseline->spec().layout == "bolivia-oep-2016-referendum" &&
                   (r.leader == "MAS - IPSP" || r.runner_up == "MAS - IPSP")) {
          // The 2016 referendum asked whether the incumbent (MAS-IPSP) could run again: SÍ was its position.
          bl = r.leader == "MAS - IPSP" ? "SÍ" : "NO";
          br = r.leader == "MAS - IPSP" ? "NO" : "SÍ";
        } else {
          throw UsageError(fmt::format("say which choices of {} stand for {} and {} (--baseline-pair A:B)", b.source,
                                       r.leader, r.runner_up));
        }
      }
      int bli = baseline->find_choice(bl), bri = baseline->find_choice(br);
      if (bli < 0 || bri < 0)
        throw UsageError(fmt::format("'{}' or '{}' is not a choice of {}", bl, br, b.source));
      b.leader = bl;
      b.runner_up = br;
      const size_t lb = m.join_level_b;
      const Geography& gb = baseline->geography();
      std::vector<int64_t> bl_votes(gb.node_count(lb), 0), br_votes(gb.node_count(lb), 0), bv(gb.node_count(lb), 0);
      for (size_t s = 0; s < baseline->sheets(); ++s) {
        size_t node = static_cast<size_t>(m.b_canonical[gb.node_of(lb, s)]);
        bl_votes[node] += baseline->choices()[static_cast<size_t>(bli)].or_zero(s);
        br_votes[node] += baseline->choices()[static_cast<size_t>(bri)].or_zero(s);
        bv[node] += baseline->valid()[s];
      }
      std::vector<double> by, bx, bl_late;
      std::vector<uint32_t> bc;
      for (size_t s : rows) {
        int64_t node = m.b_node[s];
        if (node < 0 || bv[static_cast<size_t>(node)] == 0) continue;
        by.push_back(y[s]);
        bx.push_back(pooled_margin(bl_votes[static_cast<size_t>(node)], br_votes[static_cast<size_t>(node)],
                                   bv[static_cast<size_t>(node)]));
        bl_late.push_back(late[s]);
        bc.push_back(place[s]);
      }
      b.n = by.size();
      auto prior = fit({bl_late}, {"late"}, bx, bc);
      auto same = fit({bl_late}, {"late"}, by, bc);
      auto ctrl = fit({bl_late, bx}, {"late", "baseline"}, by, bc);
      b.prior_gap_points = prior.coef(coef_index(prior, "late"));
      b.prior_gap_se = prior.se(coef_index(prior, "late"));
      b.gap_points = same.coef(coef_index(same, "late"));
      b.gap_se = same.se(coef_index(same, "late"));
      b.gap_controlled_points = ctrl.coef(coef_index(ctrl, "late"));
      b.gap_controlled_se = ctrl.se(coef_index(ctrl, "late"));
      b.baseline_coef = ctrl.coef(coef_index(ctrl, "baseline"));
      b.baseline_coef_se = ctrl.se(coef_index(ctrl, "baseline"));
      b.available = true;
    } catch (const std::invalid_argument& e) {
      b.reason = e.what();
    }
  }

  // The verdict, in words, never stronger than the numbers.
  auto& v = r.verdict;
  v.push_back(fmt::format(
      "{} led {} by {} points among the {} sheets in by the cutoff ({}: {:.2f}% of sheets, {:.2f}% of valid votes) "
      "and by {} points among the {} sheets counted after it; {} points in the final count.",
      r.leader, r.runner_up, pts(r.margin_early), thousands(static_cast<int64_t>(r.early)), r.cutoff_rule,
      100 * r.cutoff_sheet_share, 100 * r.cutoff_vote_share, pts(r.margin_late), thousands(static_cast<int64_t>(r.late)),
      pts(r.margin_final)));
  if (!r.composition.empty()) {
    const auto& none = r.composition.front();
    v.push_back(fmt::format("Per sheet, late sheets' margin was {} points higher on average (SE {}, clustered by {}).",
                            pts(none.gap_points), pts(none.se), r.cluster_level));
    const ProgressionResult::Composition* finest = nullptr;
    for (const auto& c : r.composition)
      if (c.level != "none") finest = &c;
    if (finest && none.gap_points != 0) {
      bool gone = std::abs(finest->gap_points) < 1.96 * finest->se;
      v.push_back(fmt::format(
          "Comparing sheets within the same {} the gap is {} points (SE {}): {:.0f}% of the raw gap is explained by "
          "where the late sheets are{}.",
          finest->level, pts(finest->gap_points), pts(finest->se), 100 * finest->explained,
          gone ? ", and what remains is not distinguishable from zero" : ""));
    }
  }
  if (r.within.available)
    v.push_back(fmt::format(
        "Within {}, allowing for a steady trend over the count ({} points from first to last sheet, SE {}), late "
        "sheets differ by {} points (SE {}).",
        r.within.level, pts(r.within.trend_points), pts(r.within.trend_se), pts(r.within.gap_points),
        pts(r.within.se)));
  if (r.rd.available) {
    const auto& rd = r.rd.result;
    bool excludes = rd.ci_robust_low > 0 || rd.ci_robust_high < 0;
    v.push_back(fmt::format(
        "At the cutoff, the local-linear discontinuity in the per-sheet margin is {} points (robust 95% CI {} to {}, "
        "bandwidth {:.0f} sheets each side){}.",
        pts(rd.coef_conventional), pts(rd.ci_robust_low), pts(rd.ci_robust_high), rd.h_left,
        excludes ? "" : ": no discontinuity is detected"));
    if (!r.rd.placebos.empty())
      v.push_back(fmt::format(
          "At {} placebo cutoffs where nothing happened, {:.0f}% of the estimated jumps were at least as large and "
          "{:.0f}% had intervals excluding zero (5% would be expected if the count had no trends){}.",
          r.rd.placebos.size(), 100 * r.rd.placebo_share_as_large, 100 * r.rd.placebo_share_significant,
          r.rd.placebo_share_as_large >= 0.05 ? ": the jump at the cutoff is not unusual for this count"
                                               : ": the jump at the cutoff is unusual for this count"));
  }
  if (r.baseline.available) {
    const auto& b = r.baseline;
    v.push_back(fmt::format(
        "In {} ({} matched at {} level: {} of {} places), the late sheets' places already leaned {} points more "
        "towards {} (SE {}). Controlling for that lean, the late-minus-early gap goes from {} (SE {}) to {} points "
        "(SE {}).",
        b.source, thousands(static_cast<int64_t>(b.sheets_matched)), b.level, thousands(static_cast<int64_t>(b.places_matched)),
        thousands(static_cast<int64_t>(b.places)), pts(b.prior_gap_points), b.leader, pts(b.prior_gap_se), pts(b.gap_points),
        pts(b.gap_se), pts(b.gap_controlled_points), pts(b.gap_controlled_se)));
  }
  if (r.naive.available)
    v.push_back(fmt::format(
        "Naive check (as published, not a test): the last {:.0f}% of the votes counted gave a margin of {} points "
        "against {} in the rest; this compares different places, not the same places at different times.",
        100 * r.naive.last_share, pts(r.naive.margin_last), pts(r.naive.margin_first)));
  auto& c = r.caveats;
  if (r.never_arrived)
    c.push_back(fmt::format("{} sheets of the final count never arrived in the count examined; they are counted as late "
                            "in the composition analysis and left out of the order-based analyses.",
                            thousands(static_cast<int64_t>(r.never_arrived))));
  c.push_back("The margins use the final count's votes for every sheet; the arrival data only orders the sheets.");
  if (arrival.kind == Arrival::Kind::kTimestamps)
    c.push_back("A sheet's arrival is the time in the arrival file; a log that keeps only a sheet's last verification "
                "places re-verified sheets later than they first appeared.");
  c.push_back("None of these analyses can prove or exclude fraud: they say whether the shift is what the places "
              "counted late would produce anyway.");
  if (r.naive.text_sort_checked && r.naive.text_sort_moved > 0)
    c.push_back(fmt::format("Sorting the times as text instead of as times would misplace {} sheets: an analysis that "
                            "did so would find breaks that are artifacts.",
                            thousands(static_cast<int64_t>(r.naive.text_sort_moved))));
  return r;
}

nlohmann::ordered_json to_json(const ProgressionResult& r) {
  using J = nlohmann::ordered_json;
  auto num = [](double x) { return std::isfinite(x) ? J(x) : J(nullptr); };
  J j;
  j["source"] = r.source;
  j["arrival"] = {{"source", r.arrival_source},
                  {"kind", r.kind == Arrival::Kind::kTimestamps ? "timestamps" : "snapshots"},
                  {"arrived", r.arrived},
                  {"never_arrived", r.never_arrived}};
  j["leader"] = r.leader;
  j["runner_up"] = r.runner_up;
  j["sheets"] = r.sheets;
  j["sheets_with_votes"] = r.with_votes;
  J cut = {{"rule", r.cutoff_rule}, {"early", r.early}, {"late", r.late},
           {"sheet_share", r.cutoff_sheet_share}, {"vote_share", r.cutoff_vote_share}};
  if (r.kind == Arrival::Kind::kTimestamps) cut["time"] = format_timestamp(r.cutoff_ms, r.offset_minutes);
  j["cutoff"] = cut;
  j["margins"] = {{"early", num(r.margin_early)}, {"late", num(r.margin_late)}, {"final", num(r.margin_final)}};
  J comp = J::array();
  for (const auto& c : r.composition)
    comp.push_back({{"level", c.level}, {"gap_points", num(c.gap_points)}, {"se", num(c.se)}, {"n", c.n},
                    {"groups", c.groups}, {"explained", num(c.explained)}});
  j["composition"] = comp;
  j["composition_cluster"] = r.cluster_level;
  j["within"] = r.within.available ? J{{"level", r.within.level}, {"gap_points", r.within.gap_points}, {"se", r.within.se},
                                       {"trend_points", r.within.trend_points}, {"trend_se", r.within.trend_se},
                                       {"n", r.within.n}}
                                   : J{{"available", false}, {"reason", r.within.reason}};
  if (r.baseline.available) {
    const auto& b = r.baseline;
    j["baseline"] = {{"source", b.source}, {"level", b.level}, {"choices", {b.leader, b.runner_up}},
                     {"sheets_matched", b.sheets_matched}, {"places", b.places}, {"places_matched", b.places_matched},
                     {"places_matched_loosely", b.fuzzy}, {"n", b.n},
                     {"prior_gap_points", b.prior_gap_points}, {"prior_gap_se", b.prior_gap_se},
                     {"gap_points", b.gap_points}, {"gap_se", b.gap_se},
                     {"gap_controlled_points", b.gap_controlled_points}, {"gap_controlled_se", b.gap_controlled_se},
                     {"baseline_coef", b.baseline_coef}, {"baseline_coef_se", b.baseline_coef_se}};
  } else if (!r.baseline.reason.empty()) {
    j["baseline"] = {{"available", false}, {"reason", r.baseline.reason}};
  }
  if (r.rd.available) {
    const auto& x = r.rd.result;
    J placebo = J::array();
    for (const auto& p : r.rd.placebos)
      placebo.push_back({{"position", p.position_share}, {"estimate", p.estimate}, {"ci_low", p.ci_low}, {"ci_high", p.ci_high}});
    j["rd"] = {{"estimate", x.coef_conventional}, {"estimate_bias_corrected", x.coef_bias_corrected},
               {"se", x.se_conventional}, {"se_robust", x.se_robust},
               {"ci_low", x.ci_robust_low}, {"ci_high", x.ci_robust_high}, {"p_value_robust", x.p_value_robust},
               {"bandwidth", x.h_left}, {"bandwidth_bias", x.b_left},
               {"n_left", x.n_eff_left}, {"n_right", x.n_eff_right}, {"clustered", r.rd.clustered},
               {"running_variable", "arrival rank (sheets) relative to the cutoff"},
               {"placebo", {{"attempted", r.rd.placebos_attempted}, {"estimated", r.rd.placebos.size()},
                            {"share_as_large", r.rd.placebo_share_as_large},
                            {"share_significant", r.rd.placebo_share_significant}, {"cutoffs", placebo}}}};
    J fit = J::array();
    for (const auto& f : r.rd.fit)
      fit.push_back({{"rank_share", f.rank_share}, {"margin_points", f.margin_points}, {"late", f.late}});
    j["rd"]["fit"] = fit;
  } else {
    j["rd"] = {{"available", false}, {"reason", r.rd.reason}};
  }
  if (r.naive.available) {
    const auto& nv = r.naive;
    j["naive"] = {{"label", "naive checks as published: they compare different places, not a test of fraud"},
                  {"last_share", nv.last_share}, {"margin_first", num(nv.margin_first)}, {"margin_last", num(nv.margin_last)},
                  {"difference", num(nv.difference)},
                  {"lines", {{"left_at_cutoff", nv.line_left_at_cutoff}, {"right_at_cutoff", nv.line_right_at_cutoff},
                             {"jump", nv.line_jump}, {"jump_se", nv.line_jump_se}}},
                  {"trend_extrapolation", {{"extrapolated_final", nv.extrapolated_final}, {"actual_final", nv.actual_final}}},
                  {"text_sort_moved", nv.text_sort_moved}};
  } else {
    j["naive"] = {{"available", false}, {"reason", r.naive.reason}};
  }
  J traj = J::array();
  for (const auto& p : r.trajectory) {
    J pt = {{"sheet_share", p.sheet_share}, {"vote_share", p.vote_share}, {"margin_points", p.margin_points},
            {"leader_share", p.leader_share}, {"runner_up_share", p.runner_up_share}};
    if (r.kind == Arrival::Kind::kTimestamps) pt["time"] = format_timestamp(p.time_ms, r.offset_minutes);
    else pt["snapshot"] = p.time_ms;
    traj.push_back(pt);
  }
  J smooth = J::array();
  for (const auto& b : r.smoother)
    smooth.push_back({{"rank_share", b.rank_share}, {"mean_margin", b.mean_margin}, {"se", b.se}, {"n", b.n}, {"late", b.late}});
  j["trajectory"] = {{"cumulative", traj}, {"per_sheet_binned", smooth}};
  j["verdict"] = r.verdict;
  j["caveats"] = r.caveats;
  return j;
}

std::string to_text(const ProgressionResult& r) {
  std::string o = fmt::format("Count progression of {}\n  arrival: {} ({} of {} sheets arrived)\n", r.source,
                              r.arrival_source, thousands(static_cast<int64_t>(r.arrived)),
                              thousands(static_cast<int64_t>(r.sheets)));
  o += fmt::format("  cutoff:  {}: {} early, {} late sheets\n", r.cutoff_rule, thousands(static_cast<int64_t>(r.early)),
                   thousands(static_cast<int64_t>(r.late)));
  o += fmt::format("  margin {} over {}: early {} points, late {}, final {}\n\n", r.leader, r.runner_up,
                   pts(r.margin_early), pts(r.margin_late), pts(r.margin_final));
  o += "  Composition: late-minus-early gap in per-sheet margin (points), fixed effects at each level\n";
  o += fmt::format("  {:<16} {:>9} {:>8} {:>9} {:>8} {:>10}\n", "level", "gap", "SE", "n", "groups", "explained");
  for (const auto& c : r.composition)
    o += fmt::format("  {:<16} {:>9.3f} {:>8.3f} {:>9} {:>8} {:>9.0f}%\n", c.level, c.gap_points, c.se, c.n, c.groups,
                     100 * c.explained);
  o += fmt::format("  (standard errors clustered by {})\n", r.cluster_level);
  if (r.within.available)
    o += fmt::format("\n  Within {} with a trend: gap {:.3f} (SE {:.3f}); trend over the count {:.3f} (SE {:.3f})\n",
                     r.within.level, r.within.gap_points, r.within.se, r.within.trend_points, r.within.trend_se);
  if (r.baseline.available) {
    const auto& b = r.baseline;
    o += fmt::format("\n  Baseline {} at {} ({} - {}): {} of {} places matched ({} loosely), n = {}\n", b.source, b.level,
                     b.leader, b.runner_up, b.places_matched, b.places, b.fuzzy, b.n);
    o += fmt::format("    late places' prior lean: {:+.3f} points (SE {:.3f})\n", b.prior_gap_points, b.prior_gap_se);
    o += fmt::format("    gap {:.3f} (SE {:.3f}) -> {:.3f} (SE {:.3f}) controlling for the prior lean (coef {:.3f})\n",
                     b.gap_points, b.gap_se, b.gap_controlled_points, b.gap_controlled_se, b.baseline_coef);
  } else if (!r.baseline.reason.empty()) {
    o += "\n  Baseline: not available: " + r.baseline.reason + "\n";
  }
  if (r.rd.available) {
    const auto& x = r.rd.result;
    o += fmt::format("\n  Regression discontinuity at the cutoff (local linear, triangular kernel, MSE-optimal bandwidth)\n"
                     "    estimate {:.3f} points (SE {:.3f}); bias-corrected {:.3f}, robust 95% CI [{:.3f}, {:.3f}]\n"
                     "    bandwidth h = {:.1f} sheets, b = {:.1f}; effective n {} left, {} right{}\n",
                     x.coef_conventional, x.se_conventional, x.coef_bias_corrected, x.ci_robust_low, x.ci_robust_high,
                     x.h_left, x.b_left, x.n_eff_left, x.n_eff_right, r.rd.clustered ? "; clustered" : "");
    o += fmt::format("    placebo cutoffs: {} estimated; {:.1f}% as large as the estimate, {:.1f}% significant at 5%\n",
                     r.rd.placebos.size(), 100 * r.rd.placebo_share_as_large, 100 * r.rd.placebo_share_significant);
  } else {
    o += "\n  Regression discontinuity: not available: " + r.rd.reason + "\n";
  }
  if (r.naive.available) {
    const auto& nv = r.naive;
    o += "\n  Naive checks as published (they compare different places; not tests of fraud)\n";
    o += fmt::format("    last {:.0f}% of votes: margin {:.2f} vs {:.2f} in the first {:.0f}% ({:+.2f})\n",
                     100 * nv.last_share, nv.margin_last, nv.margin_first, 100 - 100 * nv.last_share, nv.difference);
    o += fmt::format("    straight lines before/after the cutoff: {:.2f} -> {:.2f}, jump {:+.2f} (SE {:.2f})\n",
                     nv.line_left_at_cutoff, nv.line_right_at_cutoff, nv.line_jump, nv.line_jump_se);
    o += fmt::format("    pre-cutoff trend of the cumulative margin extrapolated: {:.2f}; actual {:.2f}\n",
                     nv.extrapolated_final, nv.actual_final);
    if (nv.text_sort_checked)
      o += fmt::format("    sheets misplaced if the times were sorted as text: {}\n", nv.text_sort_moved);
  }
  o += "\n  Verdict\n";
  for (const auto& s : r.verdict) o += "  - " + s + "\n";
  o += "\n  Caveats\n";
  for (const auto& s : r.caveats) o += "  - " + s + "\n";
  return o;
}

}  // namespace tallyscope
