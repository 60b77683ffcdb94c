// The naive checks, as published (labelled as such): the last share of the count against the
// rest, straight lines each side of the cutoff, the pre-cutoff trend extrapolated, and what
// sorting the times as text would do. They compare different places, not a test of anything.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Dense>

#include "analysis/progression/steps.h"
#include "stats/ols.h"

namespace tallyscope::progression_steps {
namespace {

// Pooled margins of the last `naive_last_share` of the arrived valid votes against the rest.
void last_share_against_rest(const Count& c, ProgressionResult::Naive& nv) {
  const std::vector<size_t>& order = c.order;
  const double arrived_valid = static_cast<double>(c.cum_valid.back());
  int64_t fl = 0, fr = 0, fv = 0, ll = 0, lr = 0, lv = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    size_t s = order[i];
    bool last = static_cast<double>(c.cum_valid[i] - c.valid[s]) >= (1 - c.opt.naive_last_share) * arrived_valid;
    (last ? ll : fl) += c.L.or_zero(s);
    (last ? lr : fr) += c.R.or_zero(s);
    (last ? lv : fv) += c.valid[s];
  }
  nv.margin_first = pooled_margin(fl, fr, fv);
  nv.margin_last = pooled_margin(ll, lr, lv);
  nv.difference = nv.margin_last - nv.margin_first;
}

// Straight lines of the per-sheet margin against the share of votes counted, each side; left
// unset when a side has fewer than 10 sheets.
void lines_each_side(const Count& c, ProgressionResult::Naive& nv) {
  const std::vector<size_t>& order = c.order;
  const std::vector<double>& y = c.y;
  const size_t n_early = c.n_early;
  const double arrived_valid = static_cast<double>(c.cum_valid.back());
  const double cut_x = static_cast<double>(c.cum_valid[n_early - 1]) / arrived_valid;
  double at_cut[2] = {0, 0}, var_cut[2] = {0, 0};
  bool ok = true;
  for (int side = 0; side < 2 && ok; ++side) {
    std::vector<double> xs, ys;
    std::vector<uint32_t> cl;
    for (size_t i = side == 0 ? 0 : n_early; i < (side == 0 ? n_early : order.size()); ++i) {
      if (std::isnan(y[order[i]])) continue;
      xs.push_back(static_cast<double>(c.cum_valid[i]) / arrived_valid - cut_x);
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
}

// The cumulative margin's trend over the second half of the pre-cutoff count, extrapolated to
// the end of the arrivals, against the actual margin there.
void trend_extrapolated(const Count& c, const ProgressionResult& r, ProgressionResult::Naive& nv) {
  std::vector<double> xs, ys;
  for (const auto& p : r.trajectory)
    if (p.time_ms <= r.cutoff_ms && p.vote_share >= r.cutoff_vote_share / 2) {
      xs.push_back(p.vote_share);
      ys.push_back(p.margin_points);
    }
  if (xs.size() < 3) return;
  double mx = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
  double my = std::accumulate(ys.begin(), ys.end(), 0.0) / ys.size();
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
  }
  double slope = sxx > 0 ? sxy / sxx : 0;
  double end_share = static_cast<double>(c.cum_valid.back()) / c.total_valid;
  nv.extrapolated_final = my + slope * (end_share - mx);
  int64_t al = 0, ar = 0;
  for (size_t s : c.order) {
    al += c.L.or_zero(s);
    ar += c.R.or_zero(s);
  }
  nv.actual_final = pooled_margin(al, ar, c.cum_valid.back());
}

// Sorting the times as text instead of as times: how many sheets would change place.
void text_sort(const Count& c, ProgressionResult::Naive& nv) {
  const Arrival& arrival = c.arrival;
  if (arrival.time_text.empty()) return;
  std::vector<size_t> by_text = c.order;
  std::stable_sort(by_text.begin(), by_text.end(),
                   [&](size_t a, size_t b) { return arrival.time_text[a] < arrival.time_text[b]; });
  for (size_t i = 0; i < c.order.size(); ++i)
    nv.text_sort_moved += arrival.order[by_text[i]] != arrival.order[c.order[i]];
  nv.text_sort_checked = true;
}

}  // namespace

void naive_checks(const Count& c, ProgressionResult& r) {
  auto& nv = r.naive;
  nv.available = true;
  nv.last_share = c.opt.naive_last_share;
  last_share_against_rest(c, nv);
  lines_each_side(c, nv);
  trend_extrapolated(c, r, nv);
  text_sort(c, nv);
}

}  // namespace tallyscope::progression_steps
