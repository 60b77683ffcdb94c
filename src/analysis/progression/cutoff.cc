// The cutoff: which sheets are early (arrived by it) and which are late.
#include <algorithm>

#include <fmt/format.h>

#include "analysis/progression/steps.h"
#include "io/error.h"
#include "io/timestamp.h"

namespace tallyscope::progression_steps {
namespace {

// With snapshots: early = the sheets in the chosen snapshot. Returns the number of early sheets.
size_t snapshot_cutoff(const Count& c, ProgressionResult& r) {
  const Arrival& arrival = c.arrival;
  const ProgressionOptions& opt = c.opt;
  const std::vector<size_t>& order = c.order;
  if (opt.cutoff_ms || opt.cutoff_share)
    throw UsageError("with snapshots the cutoff is a snapshot (--cutoff-snapshot), not a time or share");
  if (opt.cutoff_snapshot >= arrival.snapshot_labels.size())
    throw UsageError(fmt::format("--cutoff-snapshot {} is outside the {} snapshots given", opt.cutoff_snapshot + 1,
                                 arrival.snapshot_labels.size()));
  size_t n_early = 0;
  while (n_early < order.size() && arrival.order[order[n_early]] <= static_cast<int64_t>(opt.cutoff_snapshot)) ++n_early;
  r.cutoff_rule = fmt::format("the sheets in snapshot {} ({})", opt.cutoff_snapshot + 1,
                              arrival.snapshot_labels[opt.cutoff_snapshot]);
  return n_early;
}

// With times: the given time, the time a share of the valid votes had arrived, or the longest
// pause. Returns the number of early sheets.
size_t time_cutoff(const Count& c, ProgressionResult& r) {
  const Arrival& arrival = c.arrival;
  const ProgressionOptions& opt = c.opt;
  const std::vector<size_t>& order = c.order;
  const std::vector<int64_t>& cum_valid = c.cum_valid;
  const int64_t total_valid = c.total_valid;
  const int64_t first = arrival.order[order.front()], last = arrival.order[order.back()];
  if (opt.cutoff_ms) {
    if (*opt.cutoff_ms < first || *opt.cutoff_ms >= last)
      throw UsageError(fmt::format("the cutoff {} is outside the arrivals, which run from {} to {}",
                                   format_timestamp(*opt.cutoff_ms, arrival.offset_minutes),
                                   format_timestamp(first, arrival.offset_minutes),
                                   format_timestamp(last, arrival.offset_minutes)));
    r.cutoff_ms = *opt.cutoff_ms;
    r.cutoff_rule = fmt::format("{} {}", opt.cutoff_label.empty() ? "the given time" : opt.cutoff_label,
                                format_timestamp(r.cutoff_ms, arrival.offset_minutes));
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
    if (first == last)
      throw UsageError(fmt::format("every arrival time is the same instant ({}): the arrivals give no order to "
                                   "split the count at", format_timestamp(first, arrival.offset_minutes)));
    const auto [best, at] = longest_pause(order, arrival.order);
    r.cutoff_ms = arrival.order[order[at]];
    r.cutoff_rule = fmt::format("the longest pause in arrivals ({:.1f} hours, after {})",
                                static_cast<double>(best) / 3.6e6, format_timestamp(r.cutoff_ms, arrival.offset_minutes));
  }
  size_t n_early = 0;
  while (n_early < order.size() && arrival.order[order[n_early]] <= r.cutoff_ms) ++n_early;
  return n_early;
}

}  // namespace

}  // namespace tallyscope::progression_steps

namespace tallyscope {

std::optional<SnapshotCutoff> cutoff_matching_snapshot(const Arrival& times, const Arrival& snapshots, size_t snapshot) {
  if (times.kind != Arrival::Kind::kTimestamps || snapshots.kind != Arrival::Kind::kSnapshots) return std::nullopt;
  const size_t n = std::min(times.order.size(), snapshots.order.size());
  // (time, in the snapshot) for every sheet with a time; sheets the snapshots never saw are not in it.
  std::vector<std::pair<int64_t, bool>> sheet;
  for (size_t s = 0; s < n; ++s) {
    if (!times.has_arrived(s)) continue;
    const bool in = snapshots.has_arrived(s) && snapshots.order[s] <= static_cast<int64_t>(snapshot);
    sheet.push_back({times.order[s], in});
  }
  size_t in_total = 0;
  for (const auto& x : sheet) in_total += x.second;
  if (sheet.empty() || in_total == 0 || in_total == sheet.size()) return std::nullopt;
  std::sort(sheet.begin(), sheet.end());
  // Sweep the cutoff over the distinct times: right = in-snapshot sheets at or before it plus the
  // other sheets after it.
  size_t in_before = 0, out_before = 0, best = 0;
  int64_t best_t = kMissing;
  // The last time is no cutoff: nothing would arrive after it.
  for (size_t i = 0; i + 1 < sheet.size(); ++i) {
    (sheet[i].second ? in_before : out_before) += 1;
    if (sheet[i + 1].first == sheet[i].first) continue;
    const size_t right = in_before + (sheet.size() - in_total - out_before);
    if (right > best) {
      best = right;
      best_t = sheet[i].first;
    }
  }
  if (best_t == kMissing) return std::nullopt;  // one distinct time only
  return SnapshotCutoff{best_t, sheet.size(), static_cast<double>(best) / static_cast<double>(sheet.size())};
}

}  // namespace tallyscope

namespace tallyscope::progression_steps {

std::pair<int64_t, size_t> longest_pause(const std::vector<size_t>& order, const std::vector<int64_t>& time) {
  size_t lo = order.size() / 100, hi = order.size() - order.size() / 100;
  int64_t best = -1;
  size_t at = lo;
  for (size_t i = std::max<size_t>(lo, 1); i < hi; ++i) {
    int64_t gap = time[order[i]] - time[order[i - 1]];
    if (gap > best) {
      best = gap;
      at = i - 1;
    }
  }
  return {best, at};
}

void split_at_cutoff(Count& c, ProgressionResult& r) {
  const std::vector<size_t>& order = c.order;
  const size_t n = c.n;
  c.cum_valid.resize(order.size());
  {
    int64_t acc = 0;
    for (size_t i = 0; i < order.size(); ++i) c.cum_valid[i] = acc += c.valid[order[i]];
  }
  const size_t n_early = c.arrival.kind == Arrival::Kind::kSnapshots ? snapshot_cutoff(c, r) : time_cutoff(c, r);
  if (n_early == 0 || n_early == n)
    throw UsageError("the cutoff leaves no sheet on one side: choose one inside the count");
  // With times, "late" must hold sheets that arrived after the cutoff, not only sheets that never
  // arrived (with snapshots, the sheets missing from the cutoff snapshot are the late ones).
  if (c.arrival.kind == Arrival::Kind::kTimestamps && n_early == order.size())
    throw UsageError("the cutoff is at or after the last arrival: no sheet arrived after it");
  c.n_early = n_early;
  c.late.assign(n, 1);
  for (size_t i = 0; i < n_early; ++i) c.late[order[i]] = 0;
  r.early = n_early;
  r.late = n - n_early;
  r.cutoff_sheet_share = static_cast<double>(n_early) / static_cast<double>(n);
  r.cutoff_vote_share = static_cast<double>(c.cum_valid[n_early - 1]) / static_cast<double>(c.total_valid);
  int64_t el = 0, er = 0, ev = 0;
  for (size_t i = 0; i < n_early; ++i) {
    el += c.L.or_zero(order[i]);
    er += c.R.or_zero(order[i]);
    ev += c.valid[order[i]];
  }
  r.margin_early = pooled_margin(el, er, ev);
  r.margin_late = pooled_margin(c.total_lead - el, c.total_run - er, c.total_valid - ev);
}

}  // namespace tallyscope::progression_steps
