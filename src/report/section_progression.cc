// The count-progression section: the trajectory of the margin, the per-sheet margin in arrival
// order with the discontinuity fit, and how much of the late shift the composition explains.
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {
namespace {

using J = nlohmann::ordered_json;

J number_or_null(double x) { return std::isfinite(x) ? J(x) : J(nullptr); }

// The section's key findings: the margins either side of the cutoff, the within-place comparison
// and the jump at the cutoff.
void progression_key_findings(const ProgressionResult& r, Section& sec) {
  sec.key_findings.push_back(fmt::format(
      "Progression: {} led {} by {} points among the sheets in by the cutoff and by {} points among those counted "
      "after it ({} in the final count).",
      r.leader, r.runner_up, num(r.margin_early), num(r.margin_late), num(r.margin_final)));
  if (!r.composition.empty()) {
    const ProgressionResult::Composition* finest = r.finest_composition();
    if (finest)
      sec.key_findings.push_back(fmt::format(
          "Comparing late and early sheets within the same {}, the gap is {} points (SE {}), against {} points "
          "(SE {}) without that comparison: {} of the raw gap is where the late sheets come from.",
          finest->level, num(finest->gap_points), num(finest->se), num(r.composition.front().gap_points),
          num(r.composition.front().se), percent(finest->explained, 0)));
  }
  if (r.baseline.available)
    sec.key_findings.push_back(fmt::format(
        "In the previous election ({}), the places of the late sheets already leaned {} points (SE {}) more towards "
        "{}; allowing for that lean, the late-minus-early gap goes from {} to {} points (SE {}).",
        std::filesystem::path(r.baseline.source).filename().string(), num(r.baseline.prior_gap_points),
        num(r.baseline.prior_gap_se), r.baseline.leader, num(r.baseline.gap_points), num(r.baseline.gap_controlled_points),
        num(r.baseline.gap_controlled_se)));
  if (r.rd.available && !r.rd_on_footing()) {
    sec.key_findings.push_back(fmt::format("At the cutoff: too little to tell whether the per-sheet margin jumps ({} "
                                           "sheets arrived before it and {} after it).",
                                           count(static_cast<long long>(r.early)),
                                           count(static_cast<long long>(r.arrived_late()))));
  } else if (r.rd.available) {
    const auto& x = r.rd.result;
    bool excludes = x.ci_robust_low > 0 || x.ci_robust_high < 0;
    sec.key_findings.push_back(fmt::format(
        "At the cutoff the per-sheet margin jumps by {} points (robust 95% CI {} to {}){}{}. A jump says that the "
        "sheets counted just after the cutoff differ from those just before; the comparison within places says "
        "whether they differ from the other sheets of their own places.",
        num(x.coef_conventional), num(x.ci_robust_low), num(x.ci_robust_high),
        excludes ? "" : ": no discontinuity is detected",
        r.rd.placebos.empty()
            ? ""
            : fmt::format("; {} of the jumps at {} placebo cutoffs elsewhere in the count were as large",
                          percent(r.rd.placebo_share_as_large, 0), r.rd.placebos.size())));
  }
}

// The trajectory: the cumulative margin as the count proceeds.
Chart progression_trajectory_chart(const ProgressionResult& r) {
  const bool times = r.kind == Arrival::Kind::kTimestamps;
  Chart c;
  c.id = "chart-trajectory";
  c.caption = fmt::format(
      "Cumulative margin ({} minus {}, points of valid votes counted so far) against the share of the final valid "
      "votes counted. The red line marks the cutoff, the dashed line the final margin.",
      r.leader, r.runner_up);
  J values = J::array();
  for (const auto& p : r.trajectory) {
    J o = {{"vote_share", p.vote_share}, {"sheet_share", p.sheet_share}, {"margin", number_or_null(p.margin_points)}};
    if (times) o["time"] = p.time_ms + int64_t{r.offset_minutes} * 60000;
    values.push_back(o);
  }
  J tooltip = J::array({J{{"field", "margin"}, {"type", "quantitative"}, {"format", ".2f"}, {"title", "margin (points)"}},
                        J{{"field", "vote_share"}, {"type", "quantitative"}, {"format", ".1%"}, {"title", "votes counted"}}});
  if (times)
    tooltip.push_back({{"field", "time"}, {"type", "temporal"}, {"scale", {{"type", "utc"}}}, {"timeUnit", "utcdayhoursminutes"},
                       {"title", fmt::format("time (UTC{:+03d}:{:02d})", r.offset_minutes / 60, std::abs(r.offset_minutes % 60))}});
  c.spec = {{"width", 640},
            {"height", 280},
            {"layer",
             J::array({J{{"data", {{"values", values}}},
                         {"mark", {{"type", "line"}, {"point", false}, {"tooltip", true}}},
                         {"encoding",
                          {{"x", {{"field", "vote_share"}, {"type", "quantitative"}, {"axis", {{"format", ".0%"}}},
                                  {"title", "share of the final valid votes counted"}}},
                           {"y", {{"field", "margin"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                                  {"title", "cumulative margin (points)"}}},
                           {"tooltip", tooltip}}}},
                       J{{"data", {{"values", J::array({J{{"x", r.cutoff_vote_share}}})}}},
                         {"mark", {{"type", "rule"}, {"color", "#c0392b"}, {"strokeWidth", 2}}},
                         {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}}}}},
                       J{{"data", {{"values", J::array({J{{"y", r.margin_final}}})}}},
                         {"mark", {{"type", "rule"}, {"strokeDash", J::array({4, 4})}, {"color", "#555"}}},
                         {"encoding", {{"y", {{"field", "y"}, {"type", "quantitative"}}}}}}})}};
  return c;
}

// The per-sheet margin in arrival order, binned, with the discontinuity fit.
Chart progression_smoother_chart(const ProgressionResult& r) {
  const bool times = r.kind == Arrival::Kind::kTimestamps;
  Chart c;
  c.id = "chart-smoother";
  c.caption = fmt::format(
      "Per-sheet margin in arrival order: means of equal-count bins with 95% intervals, early sheets in blue, late "
      "in orange{}. The red line marks the cutoff.",
      r.rd.available && !r.rd.fit.empty() ? "; the black lines are the local-linear fits of the discontinuity estimate "
                                            "within its bandwidth"
                                          : "");
  J bins = J::array();
  for (const auto& b : r.smoother)
    bins.push_back({{"x", b.rank_share}, {"mean", b.mean_margin}, {"lo", b.mean_margin - 1.96 * b.se},
                    {"hi", b.mean_margin + 1.96 * b.se}, {"n", b.n}, {"side", b.late ? "late" : "early"}});
  J fit = J::array();
  for (const auto& f : r.rd.fit) fit.push_back({{"x", f.rank_share}, {"y", f.margin_points}, {"side", f.late ? "late" : "early"}});
  const double cut = r.arrived ? static_cast<double>(r.early) / static_cast<double>(r.arrived) : 0;
  J color = {{"field", "side"}, {"type", "nominal"}, {"title", "sheets"},
             {"scale", {{"domain", J::array({"early", "late"})}, {"range", J::array({"#2c7fb8", "#e67e22"})}}}};
  J xenc = {{"field", "x"}, {"type", "quantitative"}, {"axis", {{"format", ".0%"}}},
            {"title", times ? "position in the order of arrival (share of arrived sheets)"
                            : "position in the order of arrival (share of arrived sheets; ties within a snapshot)"}};
  J layers = J::array(
      {J{{"data", {{"values", bins}}},
         {"mark", {{"type", "rule"}, {"opacity", 0.5}}},
         {"encoding", {{"x", xenc}, {"y", {{"field", "lo"}, {"type", "quantitative"}, {"title", "per-sheet margin (points)"}}},
                       {"y2", {{"field", "hi"}}}, {"color", color}}}},
       J{{"data", {{"values", bins}}},
         {"mark", {{"type", "point"}, {"filled", true}, {"tooltip", true}}},
         {"encoding", {{"x", xenc}, {"y", {{"field", "mean"}, {"type", "quantitative"}}}, {"color", color}}}}});
  if (!fit.empty())
    layers.push_back({{"data", {{"values", fit}}},
                      {"mark", {{"type", "line"}, {"color", "black"}, {"strokeWidth", 2}}},
                      {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}},
                                    {"y", {{"field", "y"}, {"type", "quantitative"}}},
                                    {"detail", {{"field", "side"}, {"type", "nominal"}}}}}});
  layers.push_back({{"data", {{"values", J::array({J{{"x", cut}}})}}},
                    {"mark", {{"type", "rule"}, {"color", "#c0392b"}, {"strokeWidth", 2}}},
                    {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}}}}});
  c.spec = {{"width", 640}, {"height", 280}, {"layer", layers}};
  return c;
}

// Composition: the late-minus-early gap under each comparison, as a chart and a table.
void progression_composition(const ProgressionResult& r, Section& sec) {
  std::string& h = sec.html;
  Chart c;
  c.id = "chart-composition";
  c.caption =
      "Late-minus-early gap in the per-sheet margin (points, 95% intervals), comparing sheets across the whole "
      "count and then only within the same unit at each geography level; further rows compare within polling "
      "places allowing for a trend, and controlling for the places' lean in the baseline election.";
  J values = J::array();
  std::vector<std::vector<std::string>> rows;
  int order = 0;
  auto add = [&](const std::string& label, double gap, double se, size_t n, const std::string& explained) {
    values.push_back({{"comparison", label}, {"gap", gap}, {"lo", gap - 1.96 * se}, {"hi", gap + 1.96 * se}, {"order", order++}});
    rows.push_back({label, num(gap), num(se), count(static_cast<long long>(n)), explained});
  };
  for (const auto& k : r.composition)
    add(k.level == "none" ? "whole count (no comparison group)" : "within the same " + k.level, k.gap_points, k.se, k.n,
        k.level == "none" ? "" : percent(k.explained, 0));
  if (r.within.available)
    add("within the same " + r.within.level + ", with a trend", r.within.gap_points, r.within.se, r.within.n, "");
  if (r.baseline.available)
    add("controlling for the places' lean in " + std::filesystem::path(r.baseline.source).filename().string(), r.baseline.gap_controlled_points,
        r.baseline.gap_controlled_se, r.baseline.n, "");
  J yenc = {{"field", "comparison"}, {"type", "nominal"}, {"sort", {{"field", "order"}}}, {"title", nullptr},
            {"axis", {{"labelLimit", 360}}}};
  c.spec = {{"width", 420},
            {"height", {{"step", 26}}},
            {"layer",
             J::array({J{{"data", {{"values", values}}},
                         {"mark", {{"type", "rule"}}},
                         {"encoding", {{"y", yenc},
                                       {"x", {{"field", "lo"}, {"type", "quantitative"}, {"title", "late minus early (points)"}}},
                                       {"x2", {{"field", "hi"}}}}}},
                       J{{"data", {{"values", values}}},
                         {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}, {"tooltip", true}}},
                         {"encoding", {{"y", yenc}, {"x", {{"field", "gap"}, {"type", "quantitative"}}}}}},
                       J{{"data", {{"values", J::array({J{{"zero", 0}}})}}},
                         {"mark", {{"type", "rule"}, {"color", "#888"}}},
                         {"encoding", {{"x", {{"field", "zero"}, {"type", "quantitative"}}}}}}})}};
  h += chart_div(c);
  sec.charts.push_back(std::move(c));
  h += table({"Comparison", "Gap (points)", "SE", "Sheets", "Share of the raw gap explained"}, rows,
             {false, true, true, true, true});
  h += para(fmt::format("Standard errors are clustered by {}.", r.cluster_level));
}

// The jumps at placebo cutoffs against the jump at the real one.
Chart progression_placebo_chart(const ProgressionResult& r) {
  Chart c;
  c.id = "chart-placebo";
  c.caption = fmt::format("Jumps estimated at {} placebo cutoffs, where nothing happened, against the jump at the "
                          "real cutoff (red line).",
                          r.rd.placebos.size());
  J values = J::array();
  for (const auto& p : r.rd.placebos) values.push_back({{"estimate", p.estimate}});
  c.spec = {{"width", 520},
            {"height", 160},
            {"layer",
             J::array({J{{"data", {{"values", values}}},
                         {"mark", {{"type", "bar"}, {"color", "#95a5a6"}}},
                         {"encoding", {{"x", {{"field", "estimate"}, {"type", "quantitative"}, {"bin", {{"maxbins", 30}}},
                                              {"title", "estimated jump (points)"}}},
                                       {"y", {{"aggregate", "count"}, {"type", "quantitative"}, {"title", "placebo cutoffs"}}}}}},
                       J{{"data", {{"values", J::array({J{{"x", r.rd.result.coef_conventional}}})}}},
                         {"mark", {{"type", "rule"}, {"color", "#c0392b"}, {"strokeWidth", 2}}},
                         {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}}}}}})}};
  return c;
}

}  // namespace

Section section_progression(const Maybe<ProgressionResult>& m) {
  if (!m.has()) return unavailable_section("progression", "Count progression", m.reason);
  const ProgressionResult& r = *m.value;
  Section sec;
  sec.id = "progression";
  sec.title = "Count progression: was the late shift what the late places would give anyway?";
  std::string& h = sec.html;
  const bool times = r.kind == Arrival::Kind::kTimestamps;
  h += para(fmt::format(
      "Order of arrival from {} ({}). {} of the final count's {} sheets arrived in it; {} never did. The cutoff "
      "({}) splits them into {} early and {} late sheets; {} of the final valid votes were in by the cutoff.",
      r.arrival_source, times ? "a time per sheet" : "snapshots of the count", count(static_cast<long long>(r.arrived)),
      count(static_cast<long long>(r.sheets)), count(static_cast<long long>(r.never_arrived)), r.cutoff_rule,
      count(static_cast<long long>(r.early)), count(static_cast<long long>(r.late)), percent(r.cutoff_vote_share, 2)));
  progression_key_findings(r, sec);
  h += "<h3>What the numbers say</h3>\n<ul>\n";
  for (const auto& v : r.verdict) h += "<li>" + esc(v) + "</li>\n";
  h += "</ul>\n";
  if (!r.footing.empty()) {
    h += "<h3>Too little to tell</h3>\n<ul>\n";
    for (const auto& v : r.footing) h += "<li>" + esc(v) + "</li>\n";
    h += "</ul>\n";
  }

  add_chart(sec, progression_trajectory_chart(r));
  if (!r.smoother.empty()) add_chart(sec, progression_smoother_chart(r));
  if (!r.rd.available && !r.rd.reason.empty()) h += para("Discontinuity at the cutoff: not estimated: " + r.rd.reason);
  if (!r.composition.empty()) progression_composition(r, sec);
  if (!r.baseline.available && !r.baseline.reason.empty()) h += para("Baseline election: not used: " + r.baseline.reason);
  if (!r.naive.available && !r.naive.reason.empty()) h += para("Naive checks: not computed: " + r.naive.reason);
  if (r.rd.available && !r.rd.placebos.empty()) add_chart(sec, progression_placebo_chart(r));
  if (!r.caveats.empty()) {
    h += "<h3>Caveats</h3>\n<ul>\n";
    for (const auto& v : r.caveats) h += "<li>" + esc(v) + "</li>\n";
    h += "</ul>\n";
  }
  return sec;
}

}  // namespace tallyscope::report
