// The count by region: a sortable table of every region at one geography level (sheets, registered
// voters, turnout, the two leading choices' shares, the margin, the sheets with integrity findings
// and, with --forensics-by at the same level, the forensic flags raised there).
#include <cmath>

#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {
namespace {

std::string share_of(int64_t part, int64_t whole) {
  return whole > 0 ? percent(static_cast<double>(part) / static_cast<double>(whole), 1) : "";
}

// Flags of the forensic battery per region, when it ran per region at this table's level.
std::vector<size_t> forensic_flags(const RegionTable& t, const ForensicsResult* f) {
  std::vector<size_t> flags(t.rows.size(), 0);
  if (!f) return flags;
  for (size_t i = 0; i < t.rows.size(); ++i)
    for (const auto& test : f->tests)
      if (test.flag && test.region == t.rows[i].name) ++flags[i];
  return flags;
}

// The same regions on the map, each at the mean position of its sheets with coordinates: a circle
// sized by its valid votes, coloured by the margin, its row of the table in the tooltip.
void region_map(const RegionTable& t, const std::vector<size_t>& flags, bool by_forensics, Section& sec) {
  using J = nlohmann::ordered_json;
  J values = J::array();
  size_t without = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const RegionRow& r = t.rows[i];
    if (!(r.sheets_with_coordinates > 0 && std::isfinite(r.lat) && std::isfinite(r.lon))) {
      ++without;
      continue;
    }
    J o = {{"name", r.name}, {"lat", r.lat}, {"lon", r.lon}, {"sheets", r.sheets}, {"valid", r.valid},
           {"errors", r.sheets_with_errors}, {"warnings", r.sheets_with_warnings}};
    o["margin"] = std::isfinite(r.margin_points) ? J(r.margin_points) : J(nullptr);
    o["turnout"] = std::isfinite(r.turnout) ? J(100 * r.turnout) : J(nullptr);
    if (by_forensics) o["flags"] = flags[i];
    values.push_back(std::move(o));
  }
  if (values.empty()) {
    sec.html += para("The count has no coordinates, so the regions are not drawn on a map.");
    return;
  }
  J tooltip = J::array({J{{"field", "name"}, {"type", "nominal"}, {"title", "region"}},
                        J{{"field", "sheets"}, {"type", "quantitative"}, {"format", ","}},
                        J{{"field", "turnout"}, {"type", "quantitative"}, {"format", ".1f"}, {"title", "turnout (%)"}},
                        J{{"field", "margin"}, {"type", "quantitative"}, {"format", ".1f"}, {"title", "margin (points)"}},
                        J{{"field", "errors"}, {"type", "quantitative"}, {"title", "sheets with errors"}},
                        J{{"field", "warnings"}, {"type", "quantitative"}, {"title", "sheets with warnings"}}});
  if (by_forensics) tooltip.push_back(J{{"field", "flags"}, {"type", "quantitative"}, {"title", "forensic flags"}});
  J points = {{"data", {{"values", values}}},
              {"transform", J::array({J{{"filter", "isValid(datum.margin)"}}})},
              {"mark", {{"type", "circle"}, {"opacity", 0.85}, {"stroke", "#555"}, {"strokeWidth", 0.5}}},
              {"encoding", {{"longitude", {{"field", "lon"}, {"type", "quantitative"}}},
                            {"latitude", {{"field", "lat"}, {"type", "quantitative"}}},
                            {"size", {{"field", "valid"}, {"type", "quantitative"}, {"title", "valid votes"},
                                      {"scale", {{"range", J::array({20, 900})}}}}},
                            {"color", {{"field", "margin"}, {"type", "quantitative"}, {"title", "margin (points)"},
                                       {"scale", {{"scheme", "redblue"}, {"domainMid", 0}, {"reverse", true}}}}},
                            {"tooltip", tooltip}}}};
  Chart c;
  c.id = "chart-map-regions";
  c.caption = fmt::format(
      "The regions at level {} on the map, each at the mean position of its sheets, sized by its valid votes and "
      "coloured by the margin of {} over {}; the tooltip holds its row of the table{}.{}",
      t.level, t.leader, t.runner_up, by_forensics ? ", its forensic flags included" : "",
      without ? fmt::format(" {} regions have no sheet with coordinates and are not drawn.", count(static_cast<long long>(without)))
              : "");
  c.spec = map_spec(values, points);
  sec.html += chart_div(c);
  sec.charts.push_back(std::move(c));
}

}  // namespace

Section section_regions(const Maybe<RegionTable>& m, const ForensicsResult* forensics) {
  if (!m.has()) return unavailable_section("regions", "The count by region", m.reason);
  const RegionTable& t = *m.value;
  Section sec;
  sec.id = "regions";
  sec.title = "The count by region";
  std::string& h = sec.html;
  const bool has_choices = !t.choices.empty();
  const bool by_forensics = forensics && forensics->regions > 0;
  const std::vector<size_t> flags = forensic_flags(t, by_forensics ? forensics : nullptr);
  size_t with_errors = 0;
  for (const auto& r : t.rows) with_errors += r.sheets_with_errors > 0;
  h += para(fmt::format("The {} regions at level {}: their sheets, turnout, the shares of {} and {} (the whole count's "
                        "top two), the margin between them, and the sheets with integrity findings{}. {} of the "
                        "regions hold a sheet with an error-level finding. Click a column to sort.",
                        count(static_cast<long long>(t.rows.size())), t.level, t.leader, t.runner_up,
                        by_forensics ? " and the forensic flags raised in each region" : "",
                        count(static_cast<long long>(with_errors))));
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const RegionRow& r = t.rows[i];
    std::vector<std::string> row = {
        r.name,
        count(static_cast<long long>(r.sheets)),
        r.sheets_with_registered ? count(r.registered) : "",
        std::isfinite(r.turnout) ? percent(r.turnout, 1) : "",
        has_choices ? share_of(r.votes[t.leader_index], r.valid) : "",
        has_choices ? share_of(r.votes[t.runner_up_index], r.valid) : "",
        std::isfinite(r.margin_points) ? signed_points(r.margin_points) : "",
        count(static_cast<long long>(r.sheets_with_errors)),
        count(static_cast<long long>(r.sheets_with_warnings))};
    if (by_forensics) row.push_back(count(static_cast<long long>(flags[i])));
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header = {"Region", "Sheets", "Registered", "Turnout", t.leader + " share", t.runner_up + " share",
            "Margin (points)", "Sheets with errors", "Sheets with warnings"};
  std::vector<bool> numeric = {false, true, true, true, true, true, true, true, true};
  if (by_forensics) {
    header.push_back("Forensic flags");
    numeric.push_back(true);
  }
  h += table(header, rows, numeric);
  region_map(t, flags, by_forensics, sec);
  return sec;
}

}  // namespace tallyscope::report
