// The progression in words: the verdict (never stronger than the numbers) and the caveats.
#include <cmath>

#include <fmt/format.h>

#include "analysis/common/text.h"
#include "analysis/progression/steps.h"

namespace tallyscope::progression_steps {

namespace {

// The footing of each verdict (README, "Footing"): the sheets with a usable arrival time, the sheets
// each side of the cutoff, the places
// the within-place comparison uses, the places matched to the baseline. Fills r.footing.
void assess_footing(ProgressionResult& r) {
  auto& f = r.footing;
  if (!r.order_on_footing())
    f.push_back(fmt::format("The count's order: too little to tell. Only {} of its {} sheets ({:.1f}%) have a usable "
                            "arrival time; at least {:.0f}% are needed, since the order of the rest is unknown.",
                            thousands(static_cast<int64_t>(r.arrived)), thousands(static_cast<int64_t>(r.sheets)),
                            100.0 * static_cast<double>(r.arrived) / static_cast<double>(r.sheets),
                            100 * kMinTimedShare));
  if (r.rd.available && !r.rd_on_footing())
    f.push_back(fmt::format("The discontinuity at the cutoff: too little to tell. {} sheets arrived before the cutoff "
                            "and {} after it; at least {} on each side are needed.",
                            thousands(static_cast<int64_t>(r.early)), thousands(static_cast<int64_t>(r.arrived_late())),
                            kMinSheetsPerSide));
  const ProgressionResult::Composition* finest = r.finest_composition();
  if (finest && finest->informative_groups < kMinComparisonPlaces)
    f.push_back(fmt::format("The comparison within the same {}: too little to tell. Only {} of them hold both early and "
                            "late sheets; at least {} are needed.",
                            finest->level, thousands(static_cast<int64_t>(finest->informative_groups)),
                            kMinComparisonPlaces));
  if (r.baseline.available && r.baseline.places > 0 &&
      static_cast<double>(r.baseline.places_matched) < kMinBaselineMatched * static_cast<double>(r.baseline.places))
    f.push_back(fmt::format("The previous election's lean: too little to tell. Only {} of {} places were matched to "
                            "it; at least {:.0f}% are needed.",
                            thousands(static_cast<int64_t>(r.baseline.places_matched)),
                            thousands(static_cast<int64_t>(r.baseline.places)), 100 * kMinBaselineMatched));
}

}  // namespace

void write_verdict(ProgressionResult& r) {
  assess_footing(r);
  // The verdict, in words, never stronger than the numbers.
  auto& v = r.verdict;
  v.push_back(fmt::format(
      "The cutoff is {}. {} led {} by {} points among the {} sheets in by it ({:.2f}% of sheets, {:.2f}% of valid "
      "votes) and by {} points among the {} sheets counted after it; {} points in the final count.",
      r.cutoff_rule, r.leader, r.runner_up, pts(r.margin_early), thousands(static_cast<int64_t>(r.early)),
      100 * r.cutoff_sheet_share, 100 * r.cutoff_vote_share, pts(r.margin_late), thousands(static_cast<int64_t>(r.late)),
      pts(r.margin_final)));
  if (!r.composition.empty()) {
    const auto& none = r.composition.front();
    v.push_back(fmt::format("Per sheet, late sheets' margin was {} points higher on average (SE {}, clustered by {}).",
                            pts(none.gap_points), pts(none.se), r.cluster_level));
    const ProgressionResult::Composition* finest = r.finest_composition();
    if (finest && finest->informative_groups < kMinComparisonPlaces) {
      v.push_back(fmt::format("Comparing sheets within the same {}: too little to tell (only {} of them hold both "
                              "early and late sheets).",
                              finest->level, thousands(static_cast<int64_t>(finest->informative_groups))));
    } else if (finest && none.gap_points != 0) {
      bool gone = std::abs(finest->gap_points) < 1.96 * finest->se;
      v.push_back(fmt::format(
          "Comparing sheets within the same {} ({} of them hold both early and late sheets) the gap is {} points (SE "
          "{}): {:.0f}% of the raw gap is explained by where the late sheets are{}.",
          finest->level, thousands(static_cast<int64_t>(finest->informative_groups)), pts(finest->gap_points),
          pts(finest->se), 100 * finest->explained, gone ? ", and what remains is not distinguishable from zero" : ""));
    }
  }
  if (r.within.available)
    v.push_back(fmt::format(
        "Within {}, allowing for a steady trend over the count ({} points from first to last sheet, SE {}), late "
        "sheets differ by {} points (SE {}).",
        r.within.level, pts(r.within.trend_points), pts(r.within.trend_se), pts(r.within.gap_points),
        pts(r.within.se)));
  if (r.rd.available && !r.rd_on_footing()) {
    v.push_back(fmt::format("At the cutoff: too little to tell whether the per-sheet margin jumps ({} sheets before "
                            "it and {} after it with arrival times).",
                            thousands(static_cast<int64_t>(r.early)),
                            thousands(static_cast<int64_t>(r.arrived_late()))));
  } else if (r.rd.available) {
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
}

void write_caveats(ProgressionResult& r, Arrival::Kind kind) {
  auto& c = r.caveats;
  if (r.never_arrived)
    c.push_back(fmt::format("{} sheets of the final count never arrived in the count examined; they are counted as late "
                            "in the composition analysis and left out of the order-based analyses.",
                            thousands(static_cast<int64_t>(r.never_arrived))));
  c.push_back("The margins use the final count's votes for every sheet; the arrival data only orders the sheets.");
  if (kind == Arrival::Kind::kTimestamps)
    c.push_back("A sheet's arrival is the time in the arrival file; a log that keeps only a sheet's last verification "
                "places re-verified sheets later than they first appeared.");
  c.push_back("None of these analyses can prove or exclude fraud: they say whether the shift is what the places "
              "counted late would produce anyway.");
  if (r.naive.text_sort_checked && r.naive.text_sort_moved > 0)
    c.push_back(fmt::format("Sorting the times as text instead of as times would misplace {} sheets: an analysis that "
                            "did so would find breaks that are artifacts.",
                            thousands(static_cast<int64_t>(r.naive.text_sort_moved))));
}

}  // namespace tallyscope::progression_steps
