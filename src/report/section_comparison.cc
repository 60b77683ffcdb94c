// The comparison section (`report --compare-with OTHER`): the audited count against another count of
// the same election (a quick count, an earlier snapshot, the preliminary results), joined by sheet
// id: sheets only in one, sheets whose numbers changed, and the net effect on each choice and on
// the margin. Observers use it to find the sheets to look at on paper.
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {
namespace {

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

std::string cell_value(int64_t v) { return v == kMissing ? "missing" : count(v); }

// The net change (audited minus other) of one compared count over the differing sheets.
int64_t net_of(const Comparison& c, const std::string& name) {
  for (const auto& n : c.net)
    if (n.name == name) return n.delta;
  return 0;
}

// The differing sheets, one row each: id, lines, every changed count "a -> b".
std::string differing_table(const Comparison& c, size_t max_rows) {
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < c.differing.size() && i < max_rows; ++i) {
    const SheetDifference& d = c.differing[i];
    std::string changes;
    for (const auto& cell : d.cells)
      changes += fmt::format("{}{}: {} → {}", changes.empty() ? "" : "; ", cell.name, cell_value(cell.a), cell_value(cell.b));
    for (const auto& p : d.places) changes += (changes.empty() ? "" : "; ") + p;
    rows.push_back({d.id, count(static_cast<long long>(d.line_a)), count(static_cast<long long>(d.line_b)), changes});
  }
  std::string h = table({"Sheet", "Line (other)", "Line (this count)", "What changed (other → this count)"}, rows,
                        {false, true, true, false});
  if (c.differing.size() > max_rows)
    h += para(fmt::format("And {} more sheets whose numbers differ (all are in the JSON bundle).",
                          count(static_cast<long long>(c.differing.size() - max_rows))));
  return h;
}

std::string id_list(const std::vector<std::string>& ids, size_t max_ids) {
  std::string o;
  for (size_t i = 0; i < ids.size() && i < max_ids; ++i) o += (i ? ", " : "") + ids[i];
  if (ids.size() > max_ids) o += fmt::format(" and {} more", count(static_cast<long long>(ids.size() - max_ids)));
  return o;
}

}  // namespace

Section section_comparison(const Maybe<Comparison>& m, size_t max_rows) {
  if (!m.has()) return unavailable_section("comparison", "Comparison with another count", m.reason);
  const Comparison& c = *m.value;
  Section sec;
  sec.id = "comparison";
  sec.title = "Comparison with another count of the same election";
  std::string& h = sec.html;
  const std::string other = file_name(c.source_a), self = file_name(c.source_b);
  h += para(fmt::format(
      "This count ({}) joined by sheet id with {}: {} sheets are in both, {} only in this count and {} only in the "
      "other. Of the sheets in both, {} have different numbers and {} different place names.",
      self, other, count(static_cast<long long>(c.common)), count(static_cast<long long>(c.only_in_b.size())),
      count(static_cast<long long>(c.only_in_a.size())), count(static_cast<long long>(c.differing.size())),
      count(static_cast<long long>(c.renamed_places))));
  const int64_t net_margin = net_of(c, c.margin_leader) - net_of(c, c.margin_runner_up);
  sec.key_findings.push_back(fmt::format(
      "Compared with {}: {} sheets in both counts have different numbers; together they change {}'s lead over {} by "
      "{} votes (on the sheets in both, the margin goes from {} to {} points). {} sheets are only in this count, {} only "
      "in the other.",
      other, count(static_cast<long long>(c.differing.size())), c.margin_leader, c.margin_runner_up,
      net_margin >= 0 ? "+" + count(net_margin) : count(net_margin), num(c.margin_common_a), num(c.margin_common_b),
      count(static_cast<long long>(c.only_in_b.size())), count(static_cast<long long>(c.only_in_a.size()))));
  if (!c.choices_only_in_a.empty() || !c.choices_only_in_b.empty())
    h += para(fmt::format("Choices in only one count (not compared): {}{}.", id_list(c.choices_only_in_a, 20),
                          c.choices_only_in_b.empty() ? "" : (c.choices_only_in_a.empty() ? "" : "; ") +
                                                                 id_list(c.choices_only_in_b, 20)));
  std::vector<std::vector<std::string>> net_rows;
  for (const auto& n : c.net) net_rows.push_back({n.name, n.delta >= 0 ? "+" + count(n.delta) : count(n.delta)});
  h += "<h3>Net effect of the sheets whose numbers differ (this count minus the other)</h3>\n";
  h += table({"Count", "Net change"}, net_rows, {false, true});
  if (!c.differing.empty()) {
    h += "<h3>Sheets whose numbers differ</h3>\n";
    h += differing_table(c, max_rows);
  }
  if (!c.only_in_a.empty()) h += para("Only in " + other + ": " + id_list(c.only_in_a, 200) + ".");
  if (!c.only_in_b.empty()) h += para("Only in this count: " + id_list(c.only_in_b, 200) + ".");
  h += para("What this establishes: which sheets the two counts disagree on, and what the disagreement does to the "
            "result. What it cannot tell: which of the two is right; the paper sheet settles that.");
  return sec;
}

}  // namespace tallyscope::report
