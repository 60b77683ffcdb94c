// The first steps of the progression: the margin studied, per sheet and pooled, and the count in
// arrival order.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "analysis/progression/steps.h"
#include "io/error.h"

namespace tallyscope::progression_steps {

std::pair<size_t, size_t> studied_pair(const Election& fc, const ProgressionOptions& opt) {
  const size_t n = fc.sheets();
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
  return {li, ri};
}

void per_sheet_margins(Count& c, ProgressionResult& r) {
  const size_t n = c.n;
  for (size_t s = 0; s < n; ++s) {
    c.total_valid += c.valid[s];
    c.total_lead += c.L.or_zero(s);
    c.total_run += c.R.or_zero(s);
  }
  r.margin_final = pooled_margin(c.total_lead, c.total_run, c.total_valid);
  c.y.assign(n, std::nan(""));  // per-sheet margin, points
  for (size_t s = 0; s < n; ++s)
    if (c.valid[s] > 0) {
      c.y[s] = 100.0 * static_cast<double>(c.L.or_zero(s) - c.R.or_zero(s)) / static_cast<double>(c.valid[s]);
      ++r.with_votes;
    }
}

void arrival_order(Count& c, ProgressionResult& r) {
  const Arrival& arrival = c.arrival;
  std::vector<size_t>& order = c.order;
  for (size_t s = 0; s < c.n; ++s)
    if (arrival.has_arrived(s)) order.push_back(s);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return arrival.order[a] < arrival.order[b]; });
  r.arrived = order.size();
  r.never_arrived = c.n - order.size();
  if (order.empty()) throw UsageError("no sheet of the final count arrived in the count examined");
}

void polling_places(Count& c, ProgressionResult& r) {
  const Geography& g = c.fc.geography();
  c.place.assign(c.n, 0);
  if (g.levels() > 0) {
    r.cluster_level = g.level_name(g.levels() - 1);
    for (size_t s = 0; s < c.n; ++s) c.place[s] = g.node_of(g.levels() - 1, s);
  } else {
    r.cluster_level = "sheet";
    std::iota(c.place.begin(), c.place.end(), 0u);
  }
}

}  // namespace tallyscope::progression_steps
