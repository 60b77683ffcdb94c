#include "analysis/count/regions.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {
namespace {

// The whole count's leader and runner-up (indices of choices), by total votes.
std::pair<size_t, size_t> top_two(const Election& e) {
  const size_t C = e.choices().size();
  std::vector<int64_t> total(C, 0);
  for (size_t k = 0; k < C; ++k)
    for (size_t s = 0; s < e.sheets(); ++s) total[k] += e.choices()[k].or_zero(s);
  std::vector<size_t> rank(C);
  std::iota(rank.begin(), rank.end(), 0);
  std::stable_sort(rank.begin(), rank.end(), [&](size_t a, size_t b) { return total[a] > total[b]; });
  return {rank.empty() ? 0 : rank[0], rank.size() > 1 ? rank[1] : (rank.empty() ? 0 : rank[0])};
}

// Per sheet: 1 for an error finding, 2 for a warning (errors win).
std::vector<uint8_t> sheet_findings(const Election& e, const IntegrityReport& r) {
  std::vector<uint8_t> f(e.sheets(), 0);
  for (const auto& x : r.findings) {
    if (x.sheet_id.empty() || (x.severity != Severity::kError && x.severity != Severity::kWarning)) continue;
    const auto s = e.find(x.sheet_id);
    if (!s) continue;
    if (x.severity == Severity::kError) f[*s] = 1;
    else if (f[*s] == 0) f[*s] = 2;
  }
  return f;
}

}  // namespace

RegionTable region_table(const Election& e, size_t level, const IntegrityReport* integrity) {
  const Geography& g = e.geography();
  if (g.levels() == 0) throw UsageError("a table by region needs a geography (map its columns in the spec)");
  if (level >= g.levels()) throw UsageError(fmt::format("the count has {} geography levels", g.levels()));
  RegionTable t;
  t.level = g.level_name(level);
  for (const auto& c : e.choices()) t.choices.push_back(c.name);
  const auto [li, ri] = top_two(e);
  if (!t.choices.empty()) {
    t.leader = t.choices[li];
    t.runner_up = t.choices[ri];
    t.leader_index = li;
    t.runner_up_index = ri;
  }
  const size_t C = t.choices.size(), R = g.node_count(level);
  t.rows.resize(R);
  for (uint32_t r = 0; r < R; ++r) {
    t.rows[r].name = g.path(level, r);
    t.rows[r].votes.assign(C, 0);
  }
  const std::vector<uint8_t> findings = integrity ? sheet_findings(e, *integrity) : std::vector<uint8_t>();
  std::vector<int64_t> ballots_with_registered(R, 0);
  for (size_t s = 0; s < e.sheets(); ++s) {
    RegionRow& row = t.rows[g.node_of(level, s)];
    ++row.sheets;
    row.ballots += e.ballots()[s];
    row.valid += e.valid()[s];
    for (size_t k = 0; k < C; ++k) row.votes[k] += e.choices()[k].or_zero(s);
    if (e.registered() && (*e.registered())[s] != kMissing) {
      row.registered += (*e.registered())[s];
      ++row.sheets_with_registered;
      ballots_with_registered[g.node_of(level, s)] += e.ballots()[s];
    }
    if (!findings.empty()) {
      row.sheets_with_errors += findings[s] == 1;
      row.sheets_with_warnings += findings[s] == 2;
    }
    if (e.has_coordinates() && !std::isnan(e.latitude()[s]) && !std::isnan(e.longitude()[s])) {
      row.lat += e.latitude()[s];
      row.lon += e.longitude()[s];
      ++row.sheets_with_coordinates;
    }
  }
  for (uint32_t r = 0; r < R; ++r) {
    RegionRow& row = t.rows[r];
    row.margin_points = row.valid > 0 && C > 0
                            ? 100.0 * static_cast<double>(row.votes[li] - row.votes[ri]) / static_cast<double>(row.valid)
                            : std::nan("");
    row.turnout = row.registered > 0 ? static_cast<double>(ballots_with_registered[r]) / static_cast<double>(row.registered)
                                     : std::nan("");
    const double n = static_cast<double>(row.sheets_with_coordinates);
    row.lat = n > 0 ? row.lat / n : std::nan("");
    row.lon = n > 0 ? row.lon / n : std::nan("");
  }
  return t;
}

RegionTable region_table(const Election& e, const std::string& level, const IntegrityReport* integrity) {
  const Geography& g = e.geography();
  if (level.empty()) return region_table(e, size_t{0}, integrity);
  const int l = g.find_level(level);
  if (l < 0) {
    std::string names;
    for (const auto& n : g.level_names()) names += (names.empty() ? "" : ", ") + n;
    throw UsageError(fmt::format("no geography level '{}' (levels: {})", level, names.empty() ? "none" : names));
  }
  return region_table(e, static_cast<size_t>(l), integrity);
}

nlohmann::ordered_json to_json(const RegionTable& t) {
  using J = nlohmann::ordered_json;
  auto number = [](double x) { return std::isfinite(x) ? J(x) : J(nullptr); };
  J rows = J::array();
  for (const auto& r : t.rows) {
    J votes = J::object();
    for (size_t k = 0; k < t.choices.size(); ++k) votes[t.choices[k]] = r.votes[k];
    rows.push_back({{"region", r.name}, {"sheets", r.sheets}, {"registered", r.registered},
                    {"sheets_with_registered", r.sheets_with_registered}, {"ballots", r.ballots}, {"valid", r.valid},
                    {"votes", votes}, {"margin_points", number(r.margin_points)}, {"turnout", number(r.turnout)},
                    {"sheets_with_errors", r.sheets_with_errors}, {"sheets_with_warnings", r.sheets_with_warnings},
                    {"lat", number(r.lat)}, {"lon", number(r.lon)}, {"sheets_with_coordinates", r.sheets_with_coordinates}});
  }
  return {{"level", t.level}, {"leader", t.leader}, {"runner_up", t.runner_up}, {"rows", rows}};
}

}  // namespace tallyscope
