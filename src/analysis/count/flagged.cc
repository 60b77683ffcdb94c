#include "analysis/count/flagged.h"

#include <algorithm>

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

}  // namespace

std::vector<FlaggedSheet> flagged_sheets(const Election& e, const IntegrityReport& integrity) {
  const Geography& g = e.geography();
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
    if (s && g.levels() > 0) r.place = g.path(g.levels() - 1, g.node_of(g.levels() - 1, *s));
    r.severity = to_string(f.severity);
    r.code = f.code;
    r.message = f.message;
    rows.push_back({s.value_or(e.sheets()), rows.size(), std::move(r)});
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
