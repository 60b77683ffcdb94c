#include "analysis/count/flagged.h"

#include <algorithm>

#include <fmt/format.h>

namespace tallyscope {
namespace {

// One CSV field: quoted when it holds the delimiter, a quote or a line break; a leading = + - @
// (which spreadsheets would run as a formula) is prefixed with an apostrophe.
std::string csv_field(const std::string& v) {
  std::string x = v;
  if (!x.empty() && (x[0] == '=' || x[0] == '+' || x[0] == '-' || x[0] == '@')) x = "'" + x;
  if (x.find_first_of(",\"\r\n") == std::string::npos) return x;
  std::string o = "\"";
  for (char c : x) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

// The sheet's geography path at the finest level ("" without geography).
std::string finest_place(const Election& e, size_t sheet) {
  const Geography& g = e.geography();
  return g.levels() > 0 ? g.path(g.levels() - 1, g.node_of(g.levels() - 1, sheet)) : std::string();
}

// The within-place tail test's sheets, when it flagged (flagged.h).
void add_tail_sheets(const Election& e, const ForensicsResult& f, std::vector<FlaggedSheet>& out,
                     std::vector<size_t>& sheet_of) {
  if (!f.within_place_tail_flagged() || f.choices.empty()) return;
  double q = 0;
  for (const auto& t : f.tests)
    if (t.id == "within_place_tail_symmetry" && t.region.empty()) q = t.q_value;
  for (const auto& t : f.within_place_tail_sheets) {
    if (t.sheet >= e.sheets()) continue;
    FlaggedSheet r;
    r.id = e.id(t.sheet);
    r.line = e.line(t.sheet);
    r.place = finest_place(e, t.sheet);
    r.severity = "forensic";
    r.code = "within_place_tail";
    r.message = fmt::format(
        "turnout {:.1f} sd ({:+.1f} points) above the median of the other sheets of its {}, and {}'s share {:.1f} sd "
        "({:+.1f} points) above theirs: the pattern of ballot stuffing that the within-place tail-symmetry test flagged on the "
        "whole count (q = {:.2g}); a sheet to look at, not a finding of fraud",
        t.turnout_z, t.turnout_excess, f.within_place_level, f.choices.front(), t.share_z, t.share_excess, q);
    out.push_back(std::move(r));
    sheet_of.push_back(t.sheet);
  }
}

}  // namespace

std::vector<FlaggedSheet> flagged_sheets(const Election& e, const IntegrityReport& integrity,
                                         const ForensicsResult* forensics) {
  struct Keyed {
    size_t sheet, order;
    FlaggedSheet row;
  };
  std::vector<Keyed> rows;
  for (const auto& f : integrity.findings) {
    if (f.sheet_id.empty()) continue;
    const auto s = e.find(f.sheet_id);
    FlaggedSheet r;
    r.id = f.sheet_id;
    r.line = f.line;
    if (s) r.place = finest_place(e, *s);
    r.severity = to_string(f.severity);
    r.code = f.code;
    r.message = f.message;
    rows.push_back({s.value_or(e.sheets()), rows.size(), std::move(r)});
  }
  if (forensics) {
    std::vector<FlaggedSheet> tail;
    std::vector<size_t> sheet_of;
    add_tail_sheets(e, *forensics, tail, sheet_of);
    for (size_t k = 0; k < tail.size(); ++k) rows.push_back({sheet_of[k], rows.size(), std::move(tail[k])});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Keyed& a, const Keyed& b) { return a.sheet < b.sheet; });
  std::vector<FlaggedSheet> out;
  out.reserve(rows.size());
  for (auto& k : rows) out.push_back(std::move(k.row));
  return out;
}

std::string flagged_csv(const std::vector<FlaggedSheet>& rows, const std::vector<std::string>* links) {
  std::string o = "sheet_id,line,place,severity,finding,message";
  if (links) o += ",link";
  o += "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const FlaggedSheet& r = rows[i];
    o += csv_field(r.id) + "," + std::to_string(r.line) + "," + csv_field(r.place) + "," + r.severity + "," +
         csv_field(r.code) + "," + csv_field(r.message);
    if (links) o += "," + csv_field(i < links->size() ? (*links)[i] : "");
    o += "\n";
  }
  return o;
}

}  // namespace tallyscope
