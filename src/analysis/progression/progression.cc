// analyze_progression: the count in arrival order, split at the cutoff, then each analysis in
// turn. The steps are in this folder, one concept per file (steps.h).
#include "analysis/progression/progression.h"

#include <fmt/format.h>

#include "analysis/progression/steps.h"
#include "io/error.h"

namespace tallyscope {

ProgressionResult analyze_progression(const Election& fc, const Arrival& arrival, const ProgressionOptions& opt,
                                      const Election* baseline) {
  namespace steps = progression_steps;
  ProgressionResult r;
  const size_t n = fc.sheets();
  if (arrival.sheets() != n) throw UsageError("the arrival data does not describe this final count");
  r.source = fc.source();
  r.arrival_source = fmt::format("{}", fmt::join(arrival.sources, ", "));
  r.kind = arrival.kind;
  r.sheets = n;
  r.offset_minutes = arrival.offset_minutes;

  // The two choices whose margin is studied, and the count in arrival order split at the cutoff.
  const auto [li, ri] = steps::studied_pair(fc, opt);
  steps::Count c(fc, arrival, opt, li, ri);
  r.leader = c.L.name;
  r.runner_up = c.R.name;
  steps::per_sheet_margins(c, r);
  steps::arrival_order(c, r);
  steps::split_at_cutoff(c, r);

  // Trajectory (cumulative, in arrival order) and the binned per-sheet margin.
  steps::cumulative_trajectory(c, r);
  steps::binned_margins(c, r);
  steps::polling_places(c, r);

  // Naive checks, as published.
  if (c.timestamps())
    steps::naive_checks(c, r);
  else
    r.naive.reason = "the naive checks need the order of arrival within the count (per-sheet times, --arrival)";

  // Regression discontinuity at the cutoff, in arrival rank.
  if (c.timestamps())
    steps::discontinuity(c, r);
  else
    r.rd.reason = "a discontinuity needs the order of arrival within the count (per-sheet times, --arrival); "
                  "snapshots only say which sheets were in by when";

  // How much of the gap is where the late sheets are.
  steps::composition_gaps(c, r);
  steps::within_places(c, r);
  if (baseline) steps::baseline_lean(c, *baseline, r);

  steps::write_verdict(r);
  steps::write_caveats(r, arrival.kind);
  return r;
}

}  // namespace tallyscope
