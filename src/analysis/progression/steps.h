// The steps of analyze_progression (progression.cc), one concept per file of this folder. Private
// to the progression room: the public interface is progression.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "analysis/progression/progression.h"
#include "stats/ols.h"
#include "stats/rd.h"

namespace tallyscope::progression_steps {

// What the steps share: the final count, its two studied choices, and the sheets in arrival order
// split at the cutoff. Filled in that order by analyze_progression's first steps.
struct Count {
  Count(const Election& final_count, const Arrival& arrival_data, const ProgressionOptions& options, size_t leader,
        size_t runner_up)
      : fc(final_count), arrival(arrival_data), opt(options), L(final_count.choices()[leader]),
        R(final_count.choices()[runner_up]), valid(final_count.valid()), n(final_count.sheets()) {}
  const Election& fc;
  const Arrival& arrival;
  const ProgressionOptions& opt;
  const CountColumn& L;  // the leader
  const CountColumn& R;  // the runner-up
  const std::vector<int64_t>& valid;
  const size_t n;                                       // sheets of the final count
  int64_t total_valid = 0, total_lead = 0, total_run = 0;
  std::vector<double> y;             // per-sheet margin, points (NaN without valid votes)
  std::vector<size_t> order;         // the arrived sheets, in arrival order
  std::vector<int64_t> cum_valid;    // valid votes arrived up to each position of `order`
  size_t n_early = 0;                // early = order[0 .. n_early)
  std::vector<uint8_t> late;         // per sheet
  std::vector<uint32_t> place;       // per sheet: its polling place (cluster)
  bool timestamps() const { return arrival.kind == Arrival::Kind::kTimestamps; }
};

// Small shared helpers.
inline double pooled_margin(int64_t lead, int64_t run, int64_t valid) {
  return valid > 0 ? 100.0 * static_cast<double>(lead - run) / static_cast<double>(valid) : std::nan("");
}
inline std::string pts(double x) { return fmt::format("{:.2f}", x); }
// OLS of y on a constant and the given columns (or absorbing `absorb`), clustered by `cluster`.
stats::OlsResult fit(const std::vector<std::vector<double>>& cols, const std::vector<std::string>& names,
                     const std::vector<double>& y, const std::vector<uint32_t>& cluster,
                     const std::vector<uint32_t>& absorb = {});
// Index of a named coefficient.
Eigen::Index coef_index(const stats::OlsResult& r, const std::string& name);

// count.cc: the margin studied and the count in arrival order.
// The leader's and runner-up's choice indices: as named, else the final count's top two.
std::pair<size_t, size_t> studied_pair(const Election& fc, const ProgressionOptions& opt);
// Totals, the final margin and the per-sheet margins.
void per_sheet_margins(Count& c, ProgressionResult& r);
// The arrived sheets by time (or snapshot), ties in the final count's file order.
void arrival_order(Count& c, ProgressionResult& r);
// Polling place: the finest geography level (clusters), with a fallback to the sheet itself.
void polling_places(Count& c, ProgressionResult& r);

// cutoff.cc: where the count splits into early and late sheets.
// The longest pause between arrivals, leaving out the first and last 1% of the count: the gap
// (ms, -1 when none) and the position in `order` of the last sheet before it.
std::pair<int64_t, size_t> longest_pause(const std::vector<size_t>& order, const std::vector<int64_t>& time);
// Chooses the cutoff (a snapshot, a given time or share, or the longest pause), splits the sheets
// into early and late, and fills the pooled early and late margins.
void split_at_cutoff(Count& c, ProgressionResult& r);

// trajectory.cc: the charts' data.
// The cumulative margin in arrival order (and the final count, when some sheets never arrived).
void cumulative_trajectory(const Count& c, ProgressionResult& r);
// The per-sheet margin in arrival order, in equal-count bins on each side of the cutoff.
void binned_margins(const Count& c, ProgressionResult& r);

// naive.cc: the naive checks, as published (timestamps only).
void naive_checks(const Count& c, ProgressionResult& r);

// discontinuity.cc: the regression discontinuity at the cutoff in arrival rank, its fitted lines
// and its placebo cutoffs (timestamps only).
struct PlaceboWindow {
  size_t lo, hi, at;  // sample [lo, hi), placebo cutoff at observation index `at`
};
// The placebo cutoffs of an RD sample of m observations whose first `first_late` are left of the
// real cutoff: evenly spread, each within one side, at least max(200, h + 1) from the ends.
std::vector<PlaceboWindow> placebo_windows(size_t m, size_t first_late, double h, int placebos);
void discontinuity(const Count& c, ProgressionResult& r);

// composition.cc: the late-minus-early gap with fixed effects at each level, and within polling
// places with a trend.
void composition_gaps(const Count& c, ProgressionResult& r);
void within_places(const Count& c, ProgressionResult& r);
// The sheets with a per-sheet margin, in file order: the rows of the regressions.
std::vector<size_t> regression_rows(const Count& c);

// baseline.cc: were the late places already different in the previous election?
// The baseline's choices standing for the leader and runner-up: as given, the same names, or the
// 2016 Bolivian referendum's SÍ/NO for MAS-IPSP. Throws UsageError when none applies.
std::pair<std::string, std::string> baseline_pair(const std::string& leader, const std::string& runner_up,
                                                  const ProgressionOptions& opt, const Election& baseline);
void baseline_lean(const Count& c, const Election& baseline, ProgressionResult& r);

// verdict.cc: the result in words, never stronger than the numbers, and its caveats.
void write_verdict(ProgressionResult& r);
void write_caveats(ProgressionResult& r, Arrival::Kind kind);

}  // namespace tallyscope::progression_steps
