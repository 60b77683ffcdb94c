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
  return sec;
}

}  // namespace tallyscope::report
