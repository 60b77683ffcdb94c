// The baseline: were the late places already different in the previous election? The late-minus-
// early gap in the previous election's margin of the same places, and this election's gap
// controlling for it.
#include <stdexcept>

#include <fmt/format.h>

#include "analysis/progression/steps.h"
#include "io/error.h"
#include "model/place_match.h"

namespace tallyscope::progression_steps {
namespace {

// The baseline's votes for the two aligned choices, and its valid votes, at each of its canonical
// places of the join level.
struct BaselineVotes {
  std::vector<int64_t> lead, run, valid;
};

BaselineVotes baseline_votes_by_place(const Election& baseline, const PlaceMatch& m, int bli, int bri) {
  const size_t lb = m.join_level_b;
  const Geography& gb = baseline.geography();
  BaselineVotes v;
  v.lead.assign(gb.node_count(lb), 0);
  v.run.assign(gb.node_count(lb), 0);
  v.valid.assign(gb.node_count(lb), 0);
  for (size_t s = 0; s < baseline.sheets(); ++s) {
    size_t node = static_cast<size_t>(m.b_canonical[gb.node_of(lb, s)]);
    v.lead[node] += baseline.choices()[static_cast<size_t>(bli)].or_zero(s);
    v.run[node] += baseline.choices()[static_cast<size_t>(bri)].or_zero(s);
    v.valid[node] += baseline.valid()[s];
  }
  return v;
}

}  // namespace

std::pair<std::string, std::string> baseline_pair(const std::string& leader, const std::string& runner_up,
                                                  const ProgressionOptions& opt, const Election& baseline) {
  std::string bl = opt.baseline_leader, br = opt.baseline_runner_up;
  if (bl.empty() && br.empty()) {
    if (baseline.find_choice(leader) >= 0 && baseline.find_choice(runner_up) >= 0) {
      bl = leader;
      br = runner_up;
    } else if (baseline.spec().layout == "bolivia-oep-2016-referendum" &&
               (leader == "MAS - IPSP" || runner_up == "MAS - IPSP")) {
      // The 2016 referendum asked whether the incumbent (MAS-IPSP) could run again: SÍ was its position.
      bl = leader == "MAS - IPSP" ? "SÍ" : "NO";
      br = leader == "MAS - IPSP" ? "NO" : "SÍ";
    } else {
      throw UsageError(fmt::format("say which choices of {} stand for {} and {} (--baseline-pair A:B)",
                                   baseline.source(), leader, runner_up));
    }
  }
  return {bl, br};
}

void baseline_lean(const Count& c, const Election& baseline, ProgressionResult& r) {
  auto& b = r.baseline;
  b.source = baseline.source();
  try {
    PlaceMatch m = match_places(c.fc, baseline, c.opt.baseline_level, c.opt.baseline_levels);
    b.level = c.fc.geography().level_name(m.join_level_a);
    b.sheets_matched = m.sheets_matched;
    b.places = m.places_a;
    b.places_matched = m.places_matched;
    b.fuzzy = m.fuzzy_places;
    // Align the baseline's choices with the leader and runner-up.
    const auto [bl, br] = baseline_pair(r.leader, r.runner_up, c.opt, baseline);
    int bli = baseline.find_choice(bl), bri = baseline.find_choice(br);
    if (bli < 0 || bri < 0)
      throw UsageError(fmt::format("'{}' or '{}' is not a choice of {}", bl, br, b.source));
    b.leader = bl;
    b.runner_up = br;
    const BaselineVotes bv = baseline_votes_by_place(baseline, m, bli, bri);
    // Per sheet of this election matched to a place with baseline votes: its margin, the
    // baseline's margin of its place, late or not, its polling place.
    std::vector<double> by, bx, bl_late;
    std::vector<uint32_t> bc;
    for (size_t s : regression_rows(c)) {
      int64_t node = m.b_node[s];
      if (node < 0 || bv.valid[static_cast<size_t>(node)] == 0) continue;
      by.push_back(c.y[s]);
      bx.push_back(pooled_margin(bv.lead[static_cast<size_t>(node)], bv.run[static_cast<size_t>(node)],
                                 bv.valid[static_cast<size_t>(node)]));
      bl_late.push_back(c.late[s]);
      bc.push_back(c.place[s]);
    }
    b.n = by.size();
    auto prior = fit({bl_late}, {"late"}, bx, bc);
    auto same = fit({bl_late}, {"late"}, by, bc);
    auto ctrl = fit({bl_late, bx}, {"late", "baseline"}, by, bc);
    b.prior_gap_points = prior.coef(coef_index(prior, "late"));
    b.prior_gap_se = prior.se(coef_index(prior, "late"));
    b.gap_points = same.coef(coef_index(same, "late"));
    b.gap_se = same.se(coef_index(same, "late"));
    b.gap_controlled_points = ctrl.coef(coef_index(ctrl, "late"));
    b.gap_controlled_se = ctrl.se(coef_index(ctrl, "late"));
    b.baseline_coef = ctrl.coef(coef_index(ctrl, "baseline"));
    b.baseline_coef_se = ctrl.se(coef_index(ctrl, "baseline"));
    b.available = true;
  } catch (const std::invalid_argument& e) {
    b.reason = e.what();
  }
}

}  // namespace tallyscope::progression_steps
