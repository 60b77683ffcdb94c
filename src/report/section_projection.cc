// The projection section: where a partial count was heading (distribution of the margin, outcome
// probabilities), and the backtest that says how far such projections can be trusted on this count.
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {
namespace {
using J = nlohmann::ordered_json;

// The distribution of the projected margin over the draws, with the rule's thresholds.
Chart projection_histogram(const ProjectionResult& r) {
  Chart c;
  c.id = "chart-projection";
  c.caption = fmt::format("Distribution of the projected final margin over {} draws{}.", r.draws,
                          r.p_margin_above.empty() ? "" : "; the red line marks the rule's threshold");
  J values = J::array();
  for (size_t i = 0; i < r.margin_draws_histogram.size(); ++i)
    values.push_back({{"lo", r.margin_draws_histogram_edges[i]}, {"hi", r.margin_draws_histogram_edges[i + 1]},
                      {"draws", r.margin_draws_histogram[i]}});
  J layers = J::array({J{{"data", {{"values", values}}},
                         {"mark", {{"type", "rect"}, {"color", "#2c7fb8"}, {"tooltip", true}}},
                         {"encoding", {{"x", {{"field", "lo"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                                              {"title", "projected final margin (points)"}}},
                                       {"x2", {{"field", "hi"}}},
                                       {"y", {{"field", "draws"}, {"type", "quantitative"}, {"title", "draws"}}}}}}});
  J rules = J::array();
  for (const auto& [t, p] : r.p_margin_above) rules.push_back({{"x", t}, {"label", fmt::format("threshold {}", num(t, 1))}});
  if (!rules.empty())
    layers.push_back({{"data", {{"values", rules}}},
                      {"mark", {{"type", "rule"}, {"color", "#c0392b"}, {"strokeWidth", 2}}},
                      {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}}}}});
  c.spec = {{"width", 560}, {"height", 220}, {"layer", layers}};
  return c;
}

// The projection: the partial count, the method, the projected margin and shares, the notes.
void projection_part(const ProjectionResult& r, const std::string& basis, const Maybe<BacktestResult>& bm, Section& sec) {
  std::string& h = sec.html;
  const int lvl = static_cast<int>(std::lround(100 * r.level));
  h += para(fmt::format(
      "Partial count: {}{}: {} sheets counted, {} not yet, the counted sheets holding {} of the registered "
      "voters. Method: {} ({} draws, seed {}).",
      basis, basis.find(r.partial_source) == std::string::npos ? " (" + r.partial_source + ")" : "",
      count(static_cast<long long>(r.counted_units)),
      count(static_cast<long long>(r.uncounted_units)), percent(r.counted_registered_share, 1),
      r.method == "donor" ? "each uncounted sheet takes the votes of a counted sheet of the same polling place, else "
                            "of the nearest geography level that has counted sheets (donor imputation)"
                          : "stratified ratio estimator",
      r.draws, r.seed));
  if (r.drift == "replay")
    h += para(fmt::format("The intervals include a drift term: the counted sheets were replayed in their order of "
                          "arrival ({} replays) and the errors those replays made widen the interval, because late "
                          "sheets tend to differ from early ones.",
                          r.drift_replays));
  else
    h += para("The intervals include no drift term (it needs the counted sheets' order of arrival): they reflect "
              "sampling spread only.");
  {
    std::string in, out;
    for (const auto& x : r.uncertainty_included) in += (in.empty() ? "" : "; ") + x;
    for (const auto& x : r.uncertainty_excluded) out += (out.empty() ? "" : "; ") + x;
    h += para("What the interval contains: " + in + ". What it does not contain: " + out + ".");
  }
  if (!r.baseline.source.empty())
    h += para(fmt::format("A previous election ({}, matched at {} level on {} sheets) is used as a covariate of each "
                          "place.",
                          r.baseline.source, r.baseline.level, count(static_cast<long long>(r.baseline.sheets_matched))));
  std::string thresholds;
  for (const auto& [t, p] : r.p_margin_above)
    thresholds += fmt::format(" The probability that the margin exceeds {} points is {}.", num(t, 1), probability(p));
  h += para(fmt::format(
      "Projected final margin of {} over {}: {} points ({}% interval {} to {}). Probability that the contest is "
      "decided in this round under the rule: {}.{}",
      r.leader, r.runner_up, num(r.margin.median), lvl, num(r.margin.lo), num(r.margin.hi), probability(r.p_decided),
      thresholds));
  const bool overconfident = bm.has() && bm.value->coverage + 1e-9 < bm.value->level;
  for (const auto& f : r.footing) h += para("Too little to tell: " + f.substr(f.find(':') + 2) + ".");
  if (!r.footing.empty())
    sec.key_findings.push_back(fmt::format("Projection from {}: {}.", basis, r.footing.front()));
  else
    sec.key_findings.push_back(fmt::format(
      "Projection from {}: final margin {} points ({}% interval {} to {}); decided in this round with probability "
      "{}. {}",
      basis, num(r.margin.median), lvl, num(r.margin.lo), num(r.margin.hi), probability(r.p_decided),
      overconfident ? fmt::format("The backtest on this count finds such intervals too narrow (they held the final "
                                  "margin {} of the time), so read the interval and the probability as optimistic.",
                                  percent(bm.value->coverage, 0))
                    : "This assumes the missing sheets vote like counted sheets nearby."));
  h += para("What this assumes: an uncounted sheet votes like counted sheets of its own place or area. If the sheets "
            "still missing differ from their neighbours for some other reason (remote areas, a different kind of "
            "voter counted late), the projection cannot know it; the backtest below shows how well that assumption "
            "held earlier in this same count.");
  if (!r.margin_draws_histogram.empty() && r.margin_draws_histogram_edges.size() == r.margin_draws_histogram.size() + 1)
    add_chart(sec, projection_histogram(r));
  std::vector<std::vector<std::string>> rows;
  for (const auto& ch : r.choices)
    rows.push_back({ch.name, percent(ch.counted_share, 2), percent(ch.share.median, 2),
                    percent(ch.share.lo, 2) + " to " + percent(ch.share.hi, 2), probability(ch.p_first)});
  h += table({"Choice", "Share counted", "Projected share", fmt::format("{}% interval", lvl), "P(first)"}, rows,
             {false, true, true, false, true});
  for (auto n : r.notes) {
    if (!n.empty()) n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
    h += para(n + (n.empty() || n.back() == '.' ? "" : "."));
  }
}

// The backtest: the count replayed in its order of arrival, each point projected and compared with
// the final margin.
void backtest_part(const BacktestResult& b, Section& sec) {
  std::string& h = sec.html;
  const int lvl = static_cast<int>(std::lround(100 * b.level));
  h += "<h3>Backtest: replaying this count</h3>\n";
  h += para(fmt::format(
      "The count is replayed in its order of arrival; at each point the sheets in by then are projected with the "
      "same method and compared with the final margin ({} points of {} over {}; every row is in that convention, whoever "
      "led at the time). Over {} points, the projected margin was off by "
      "{} points on average; the {}% interval held the final margin at {} of the points (and each choice's share at "
      "{} of the checks).",
      num(b.actual_margin), b.leader, b.runner_up, b.points.size(), num(b.mean_abs_error), lvl, percent(b.coverage, 0),
      percent(b.choice_coverage, 0)));
  sec.key_findings.push_back(fmt::format(
      "Backtest on this count: projections from earlier points missed the final margin by {} points on average, "
      "and their {}% intervals covered it {} of the time{}.",
      num(b.mean_abs_error), lvl, percent(b.coverage, 0),
      b.coverage + 1e-9 < b.level ? ": the intervals are too narrow for this count, read them as optimistic" : ""));
  Chart c;
  c.id = "chart-backtest";
  c.caption = fmt::format("Backtest: the projected margin ({}% interval) at each point of the replayed count, the "
                          "margin of the sheets counted so far (grey), and the final margin (dashed).",
                          lvl);
  J values = J::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : b.points) {
    // Every point is in the final count's convention (its leader minus its runner-up): see BacktestResult.
    const double med = p.margin.median, lo = p.margin.lo, hi = p.margin.hi, counted = p.counted_margin;
    values.push_back({{"x", p.sheet_share}, {"median", med}, {"lo", lo}, {"hi", hi}, {"counted", counted}});
    rows.push_back({percent(p.sheet_share, 0), count(static_cast<long long>(p.counted)), num(counted), num(med),
                    num(lo) + " to " + num(hi), num(p.error), p.covered ? "yes" : "no",
                    probability(p.p_decided)});
  }
  J x = {{"field", "x"}, {"type", "quantitative"}, {"axis", {{"format", ".0%"}}}, {"title", "share of sheets counted"}};
  c.spec = {{"width", 560},
            {"height", 240},
            {"layer",
             J::array({J{{"data", {{"values", values}}},
                         {"mark", {{"type", "rule"}, {"color", "#2c7fb8"}}},
                         {"encoding", {{"x", x}, {"y", {{"field", "lo"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                                                        {"title", "margin (points)"}}},
                                       {"y2", {{"field", "hi"}}}}}},
                       J{{"data", {{"values", values}}},
                         {"mark", {{"type", "point"}, {"filled", true}, {"color", "#2c7fb8"}, {"tooltip", true}}},
                         {"encoding", {{"x", x}, {"y", {{"field", "median"}, {"type", "quantitative"}}}}}},
                       J{{"data", {{"values", values}}},
                         {"mark", {{"type", "line"}, {"color", "#999"}}},
                         {"encoding", {{"x", x}, {"y", {{"field", "counted"}, {"type", "quantitative"}}}}}},
                       J{{"data", {{"values", J::array({J{{"y", b.actual_margin}}})}}},
                         {"mark", {{"type", "rule"}, {"strokeDash", J::array({4, 4})}, {"color", "#555"}}},
                         {"encoding", {{"y", {{"field", "y"}, {"type", "quantitative"}}}}}}})}};
  add_chart(sec, std::move(c));
  h += table({"Counted", "Sheets", "Counted margin", "Projected", fmt::format("{}% interval", lvl), "Error", "Covered",
              "P(decided)"},
             rows, {true, true, true, true, false, true, false, true});
}

}  // namespace

Section section_projection(const Maybe<ProjectionResult>& pm, const std::string& basis, const Maybe<BacktestResult>& bm) {
  Section sec;
  sec.id = "projection";
  sec.title = "Projection of the uncounted sheets, and its backtest";
  std::string& h = sec.html;
  if (!pm.has() && !bm.has()) {
    sec.status = "unavailable";
    h += para("Not computed: " + pm.reason + (bm.reason.empty() || bm.reason == pm.reason ? "" : " Backtest: " + bm.reason));
    return sec;
  }
  if (pm.has()) {
    projection_part(*pm.value, basis, bm, sec);
  } else {
    h += para("Projection: not computed: " + pm.reason);
  }
  if (bm.has()) {
    backtest_part(*bm.value, sec);
  } else if (!bm.reason.empty()) {
    h += para("Backtest: not computed: " + bm.reason);
  }
  return sec;
}

}  // namespace tallyscope::report
