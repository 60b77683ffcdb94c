// The progression's chart data: the cumulative margin as the count arrived, and the per-sheet
// margin in arrival order in bins.
#include <algorithm>
#include <cmath>

#include "analysis/progression/steps.h"

namespace tallyscope::progression_steps {
namespace {

// Equal-count bins of the per-sheet margin over order[from .. to) (sheets with a margin only):
// at most `count`, and at most one per 10 sheets plus one.
void add_margin_bins(const Count& c, size_t from, size_t to, bool is_late, size_t count, ProgressionResult& r) {
  const std::vector<double>& y = c.y;
  const std::vector<size_t>& order = c.order;
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
}

}  // namespace

void cumulative_trajectory(const Count& c, ProgressionResult& r) {
  const Arrival& arrival = c.arrival;
  const std::vector<size_t>& order = c.order;
  const size_t n = c.n, n_early = c.n_early;
  const int64_t total_valid = c.total_valid;
  int64_t cl = 0, cr = 0, cv = 0;
  const size_t step = std::max<size_t>(1, order.size() / std::max<size_t>(1, c.opt.trajectory_points));
  for (size_t i = 0; i < order.size(); ++i) {
    size_t s = order[i];
    cl += c.L.or_zero(s);
    cr += c.R.or_zero(s);
    cv += c.valid[s];
    bool boundary = arrival.kind == Arrival::Kind::kSnapshots
                        ? (i + 1 == order.size() || arrival.order[order[i + 1]] != arrival.order[s])
                        : ((i + 1) % step == 0 || i + 1 == n_early || i + 1 == order.size());
    if (boundary && cv > 0)
      r.trajectory.push_back({static_cast<double>(i + 1) / n, static_cast<double>(cv) / total_valid,
                              pooled_margin(cl, cr, cv), static_cast<double>(cl) / cv, static_cast<double>(cr) / cv,
                              arrival.order[s]});
  }
  if (r.never_arrived > 0 && total_valid > 0)  // the final count, with the sheets that never arrived
    r.trajectory.push_back({1.0, 1.0, r.margin_final, static_cast<double>(c.total_lead) / total_valid,
                            static_cast<double>(c.total_run) / total_valid,
                            arrival.kind == Arrival::Kind::kSnapshots
                                ? static_cast<int64_t>(arrival.snapshot_labels.size())
                                : arrival.order[order.back()]});
}

void binned_margins(const Count& c, ProgressionResult& r) {
  const size_t n_early = c.n_early, arrived = c.order.size(), bins = c.opt.smoother_bins;
  size_t early_bins = std::max<size_t>(1, static_cast<size_t>(std::llround(
                                              static_cast<double>(bins) * n_early / arrived)));
  add_margin_bins(c, 0, n_early, false, early_bins, r);
  add_margin_bins(c, n_early, arrived, true, std::max<size_t>(1, bins - std::min(early_bins, bins - 1)), r);
}

}  // namespace tallyscope::progression_steps
