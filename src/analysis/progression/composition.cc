// Composition: how much of the late-minus-early gap in the per-sheet margin is where the late
// sheets are (fixed effects at each geography level), and what is left within polling places
// allowing for a trend. Also the regression helpers the baseline shares.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "analysis/progression/steps.h"
#include "stats/ols.h"

namespace tallyscope::progression_steps {

stats::OlsResult fit(const std::vector<std::vector<double>>& cols, const std::vector<std::string>& names,
                     const std::vector<double>& y, const std::vector<uint32_t>& cluster,
                     const std::vector<uint32_t>& absorb) {
  const size_t n = y.size();
  const bool constant = absorb.empty();
  Eigen::MatrixXd X(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols.size() + (constant ? 1 : 0)));
  std::vector<std::string> all;
  Eigen::Index c = 0;
  if (constant) {
    X.col(c++).setOnes();
    all.push_back("const");
  }
  for (size_t k = 0; k < cols.size(); ++k, ++c) {
    for (size_t i = 0; i < n; ++i) X(static_cast<Eigen::Index>(i), c) = cols[k][i];
    all.push_back(names[k]);
  }
  Eigen::VectorXd Y = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(n));
  stats::OlsOptions o;
  o.vce = stats::OlsVce::kCluster;
  o.cluster = cluster;
  o.absorb = absorb;
  return stats::ols(X, Y, all, o);
}

Eigen::Index coef_index(const stats::OlsResult& r, const std::string& name) {
  for (size_t i = 0; i < r.names.size(); ++i)
    if (r.names[i] == name) return static_cast<Eigen::Index>(i);
  throw std::logic_error("no coefficient " + name);
}

// The groups that hold both an early and a late row: only they identify a within-group gap.
size_t groups_with_both(const std::vector<uint32_t>& group, const std::vector<double>& late, size_t groups) {
  std::vector<uint8_t> seen(groups, 0);  // bit 1: early, bit 2: late
  for (size_t i = 0; i < group.size(); ++i) seen[group[i]] |= late[i] != 0 ? 2 : 1;
  return static_cast<size_t>(std::count(seen.begin(), seen.end(), 3));
}

std::vector<size_t> regression_rows(const Count& c) {
  std::vector<size_t> rows;
  for (size_t s = 0; s < c.n; ++s)
    if (!std::isnan(c.y[s])) rows.push_back(s);
  return rows;
}

void composition_gaps(const Count& c, ProgressionResult& r) {
  const Geography& g = c.fc.geography();
  const std::vector<size_t> rows = regression_rows(c);
  std::vector<double> yv, latev;
  std::vector<uint32_t> clv;
  for (size_t s : rows) {
    yv.push_back(c.y[s]);
    latev.push_back(c.late[s]);
    clv.push_back(c.place[s]);
  }
  auto add_row = [&](const std::string& level, const std::vector<uint32_t>& absorb, size_t groups) {
    try {
      auto res = fit({latev}, {"late"}, yv, clv, absorb);
      auto k = coef_index(res, "late");
      ProgressionResult::Composition row{level, res.coef(k), res.se(k), res.n, groups, 0, 0};
      row.informative_groups = absorb.empty() ? 1 : groups_with_both(absorb, latev, groups);
      r.composition.push_back(row);
    } catch (const std::invalid_argument& e) {
      r.caveats.push_back(fmt::format("the gap with {} fixed effects could not be estimated: {}", level, e.what()));
    }
  };
  add_row("none", {}, 1);
  for (size_t l = 0; l < g.levels(); ++l) {
    std::vector<uint32_t> absorb;
    for (size_t s : rows) absorb.push_back(g.node_of(l, s));
    add_row(g.level_name(l), absorb, g.node_count(l));
  }
  if (!r.composition.empty() && r.composition[0].level == "none")
    for (auto& row : r.composition)
      row.explained = r.composition[0].gap_points != 0 ? 1 - row.gap_points / r.composition[0].gap_points : 0;
}

void within_places(const Count& c, ProgressionResult& r) {
  if (!(c.timestamps() && c.fc.geography().levels() > 0)) {
    r.within.reason = "needs per-sheet arrival times and a geography";
    return;
  }
  std::vector<double> wy, wl, wt;
  std::vector<uint32_t> wc;
  for (size_t i = 0; i < c.order.size(); ++i) {
    size_t s = c.order[i];
    if (std::isnan(c.y[s])) continue;
    wy.push_back(c.y[s]);
    wl.push_back(c.late[s]);
    wt.push_back(static_cast<double>(i) / static_cast<double>(c.order.size()));
    wc.push_back(c.place[s]);
  }
  r.within.level = r.cluster_level;
  try {
    auto res = fit({wl, wt}, {"late", "trend"}, wy, wc, wc);
    auto k = coef_index(res, "late"), t = coef_index(res, "trend");
    r.within.available = true;
    r.within.gap_points = res.coef(k);
    r.within.se = res.se(k);
    r.within.trend_points = res.coef(t);
    r.within.trend_se = res.se(t);
    r.within.n = res.n;
  } catch (const std::invalid_argument& e) {
    r.within.reason = e.what();
  }
}

}  // namespace tallyscope::progression_steps
