// The progression result as JSON and as text.
#include <cmath>

#include <fmt/format.h>

#include "analysis/common/text.h"
#include "analysis/progression/steps.h"
#include "io/timestamp.h"

namespace tallyscope {

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
                    {"groups", c.groups}, {"informative_groups", c.informative_groups},
                    {"explained", num(c.explained)}});
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
  j["footing"] = r.footing;
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
                   progression_steps::pts(r.margin_early), progression_steps::pts(r.margin_late),
                   progression_steps::pts(r.margin_final));
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
  if (!r.footing.empty()) {
    o += "\n  Too little to tell\n";
    for (const auto& s : r.footing) o += "  - " + s + "\n";
  }
  o += "\n  Caveats\n";
  for (const auto& s : r.caveats) o += "  - " + s + "\n";
  return o;
}

}  // namespace tallyscope
