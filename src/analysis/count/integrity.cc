#include "analysis/count/integrity.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "analysis/common/checked.h"
#include "analysis/common/text.h"
#include "io/clean_name.h"

namespace tallyscope {
namespace {

// A finding's file: named only when the count spans several files (otherwise it is the source).
std::string file_text(const Election& e, size_t sheet) { return e.multi_file() ? e.file_of(sheet) : std::string(); }

const std::map<std::string, std::string>& descriptions() {
  static const std::map<std::string, std::string> d = {
      {"unreadable_count", "a count cell that is not a non-negative whole number (kept as missing)"},
      {"empty_id", "a sheet without an id"},
      {"duplicate_id", "a sheet id that occurs more than once"},
      {"valid_above_registered", "more valid votes than registered voters"},
      {"ballots_above_registered", "more ballots than registered voters (turnout above 100%)"},
      {"declared_valid_mismatch", "declared valid votes differ from the sum of the choices"},
      {"declared_ballots_mismatch", "declared ballots differ from valid + blank + invalid"},
      {"relation_violated", "a control relation of the protocol does not hold"},
      {"missing_count", "an empty count cell (read as 0 in totals)"},
      {"zero_registered", "a sheet with no registered voters"},
      {"zero_votes", "a sheet with no ballots at all"},
      {"outlier_turnout", "turnout far from the sheet's peers (same place, else the next level up)"},
      {"outlier_share", "a leading choice's share far from the sheet's peers"},
      {"names_merged", "place names that differ only invisibly, read as one place"},
  };
  return d;
}

struct Median {
  double median = 0, mad = 0;
};

Median median_mad(std::vector<double>& v) {
  Median m;
  if (v.empty()) return m;
  auto mid = v.begin() + static_cast<long>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  m.median = *mid;
  if (v.size() % 2 == 0) m.median = (m.median + *std::max_element(v.begin(), mid)) / 2;
  for (double& x : v) x = std::abs(x - m.median);
  std::nth_element(v.begin(), mid, v.end());
  m.mad = *mid;
  if (v.size() % 2 == 0) m.mad = (m.mad + *std::max_element(v.begin(), mid)) / 2;
  return m;
}

// Outliers of a proportion num/den among peers: the finest geography level at which the sheet
// has enough peers, among the finest `outlier_levels` levels (else the sheet is not judged).
void find_outliers(const Election& e, const std::vector<int64_t>& num, const std::vector<int64_t>& den,
                   const std::string& code, const std::string& what, const IntegrityOptions& opt,
                   std::vector<Finding>& out) {
  const size_t n = e.sheets();
  const Geography& g = e.geography();
  const size_t levels = g.levels();
  // Per level, per node: sums, count, median and MAD of the sheets' proportions.
  struct Stats {
    double sum_num = 0, sum_den = 0;
    size_t count = 0;
    Median m;
  };
  std::vector<std::vector<Stats>> stats(levels);
  auto node_of = [&](size_t level, size_t s) -> uint32_t { return g.node_of(level, s); };
  for (size_t l = 0; l < levels; ++l) {
    size_t nodes = g.node_count(l);
    stats[l].assign(nodes, {});
    std::vector<std::vector<double>> shares(nodes);
    for (size_t s = 0; s < n; ++s) {
      if (den[s] <= 0 || num[s] == kMissing || den[s] == kMissing) continue;
      auto& st = stats[l][node_of(l, s)];
      st.sum_num += static_cast<double>(num[s]);
      st.sum_den += static_cast<double>(den[s]);
      ++st.count;
      shares[node_of(l, s)].push_back(static_cast<double>(num[s]) / den[s]);
    }
    for (size_t k = 0; k < nodes; ++k) stats[l][k].m = median_mad(shares[k]);
  }
  for (size_t s = 0; s < n; ++s) {
    if (den[s] <= 0 || num[s] == kMissing || den[s] == kMissing) continue;
    const double x = static_cast<double>(num[s]) / den[s];
    // From the finest level up, at most outlier_levels levels: peers far away are not peers.
    const size_t lowest = levels > opt.outlier_levels ? levels - opt.outlier_levels : 0;
    for (size_t l = levels; l-- > lowest;) {
      const Stats& st = stats[l][node_of(l, s)];
      if (st.count < opt.outlier_min_peers + 1) continue;
      double peers_den = st.sum_den - den[s];
      if (peers_den <= 0) continue;
      double p = (st.sum_num - num[s]) / peers_den;
      double tau = 1.4826 * st.m.mad;
      double var = std::max(p * (1 - p), 1e-4) / den[s] + tau * tau;
      double z = (x - p) / std::sqrt(var);
      if (std::abs(z) > opt.outlier_z && std::abs(x - p) >= opt.outlier_min_diff) {
        std::string where = fmt::format("{} '{}'", g.level_name(l), g.node_name(l, g.node_of(l, s)));
        Finding f{code, Severity::kInfo, e.id(s), e.line(s), "",
                  fmt::format("{} {:.1f}% where {} other sheets of {} have {:.1f}% (z = {:.1f})", what, 100 * x,
                              st.count - 1, where, 100 * p, z),
                  {{"value", x}, {"peers", p}, {"z", z}, {"peer_sheets", static_cast<double>(st.count - 1)}}};
        f.file = file_text(e, s);
        out.push_back(std::move(f));
      }
      break;  // judged at the finest level with enough peers
    }
  }
}

// Names that Unicode normalisation read as one place (geography.h): said, since a reader may have
// meant two places, and the file's producer may want to clean them.
void add_merged_spellings(const Election& e, std::vector<Finding>& out) {
  const Geography& g = e.geography();
  for (const auto& m : g.merged_spellings()) {
    std::vector<std::string> shown;
    for (const auto& s : m.spellings) shown.push_back(fmt::format("'{}'", visible_spelling(s)));
    const std::string more = m.more ? fmt::format(" and {} more", thousands(static_cast<int64_t>(m.more))) : "";
    out.push_back({"names_merged", Severity::kWarning, "", 0, g.level_name(m.level),
                   fmt::format("{} '{}': the spellings {}{} differ only in invisible characters, spaces at the ends "
                               "or Unicode composition, and were read as one place",
                               g.level_name(m.level), g.path(m.level, m.node), fmt::join(shown, ", "), more),
                   {{"spellings", static_cast<double>(m.spellings.size() + m.more)}}});
  }
}

// One finding about sheet s.
void add_finding(std::vector<Finding>& out, const Election& e, std::string code, Severity sev, size_t s,
                 std::string column, std::string message, std::vector<std::pair<std::string, double>> values = {}) {
  out.push_back({std::move(code), sev, e.id(s), e.line(s), std::move(column), std::move(message), std::move(values),
                 file_text(e, s)});
}

// What reading the file found: unreadable cells, empty ids, merged spellings, repaired rows and
// repeated ids.
void reading_findings(const Election& e, std::vector<Finding>& out) {
  for (const CellIssue& c : e.cell_issues()) {
    if (c.problem == "empty sheet id") {
      out.push_back({"empty_id", Severity::kError, "", c.line, c.header, "the sheet id is empty", {}, file_text(e, c.sheet)});
      continue;
    }
    out.push_back({"unreadable_count", Severity::kError, e.id(c.sheet), c.line, c.header,
                   fmt::format("column {} ('{}') holds '{}', which is {}; kept as missing", c.column, c.header, c.text,
                               c.problem),
                   {}, file_text(e, c.sheet)});
  }
  add_merged_spellings(e, out);
  for (const RowRepair& rr : e.row_repairs())
    out.push_back({"repaired_row", Severity::kWarning, e.id(rr.sheet), rr.line, rr.header,
                   fmt::format("the row had one field more than the header: column {} ('{}') held a stray quote and "
                               "the delimiter, unquoted; it was read as one field, '{}', the only reading in which "
                               "every count column holds a count",
                               rr.column, rr.header, rr.text),
                   {}, file_text(e, rr.sheet)});
  for (const auto& group : e.duplicate_ids()) {
    // At most five related lines a finding: listing every line in every finding of a group is
    // quadratic (20,000 identical rows made a 65 MB report).
    constexpr size_t kShown = 5;
    std::vector<std::string> lines;
    for (size_t k = 0; k < group.size() && k < kShown; ++k)
      lines.push_back(e.multi_file() ? fmt::format("{} ({})", e.line(group[k]), e.file_of(group[k]))
                                     : std::to_string(e.line(group[k])));
    const std::string more =
        group.size() > kShown ? fmt::format(" and {} more", thousands(static_cast<int64_t>(group.size() - kShown))) : "";
    const std::string listed = fmt::format("{}{}", fmt::join(lines, ", "), more);
    for (size_t k = 1; k < group.size(); ++k)
      add_finding(out, e, "duplicate_id", Severity::kError, group[k], "",
                  fmt::format("sheet id '{}' also appears on line(s) {}", e.id(group[k]), listed));
  }
}

// Each sheet's arithmetic: empty cells, votes above registered voters, declared totals that
// disagree with their parts, sheets without a ballot.
void arithmetic_findings(const Election& e, std::vector<Finding>& out) {
  const size_t n = e.sheets();
  const CountColumn* reg = e.registered();
  const auto& valid = e.valid();
  const auto& ballots = e.ballots();
  auto add = [&](std::string code, Severity sev, size_t s, std::string column, std::string message,
                 std::vector<std::pair<std::string, double>> values = {}) {
    add_finding(out, e, std::move(code), sev, s, std::move(column), std::move(message), std::move(values));
  };
  std::vector<const CountColumn*> counted;
  for (const auto* c : {e.registered(), e.blank(), e.invalid(), e.declared_ballots(), e.declared_valid()})
    if (c) counted.push_back(c);
  for (const auto& c : e.choices()) counted.push_back(&c);
  for (const auto& c : e.extras()) counted.push_back(&c);
  std::set<std::pair<size_t, size_t>> unreadable;
  for (const CellIssue& c : e.cell_issues()) unreadable.insert({c.sheet, c.read_into ? c.read_into : c.column});
  for (size_t s = 0; s < n; ++s) {
    bool any_missing = false;
    for (const CountColumn* c : counted) {
      if ((*c)[s] != kMissing) continue;
      any_missing = true;
      if (!unreadable.count({s, c->column}))
        add("missing_count", Severity::kWarning, s, c->header,
            fmt::format("column {} ('{}') is empty; read as 0 in totals", c->column, c->header));
    }
    // A postal-vote district's voters are registered on other sheets: its registered count (0, or
    // absent) is not compared with its ballots.
    if (reg && (*reg)[s] != kMissing && !e.postal(s)) {
      int64_t rv = (*reg)[s];
      if (valid[s] > rv)
        add("valid_above_registered", Severity::kError, s, reg->header,
            fmt::format("{} valid votes but {} registered voters", valid[s], rv),
            {{"valid", static_cast<double>(valid[s])}, {"registered", static_cast<double>(rv)}});
      if (ballots[s] > rv)
        add("ballots_above_registered", Severity::kError, s, reg->header,
            fmt::format("{} ballots but {} registered voters (turnout {})", ballots[s], rv,
                        rv > 0 ? fmt::format("{:.1f}%", 100.0 * ballots[s] / rv) : std::string("undefined")),
            {{"ballots", static_cast<double>(ballots[s])}, {"registered", static_cast<double>(rv)}});
      if (rv == 0) add("zero_registered", Severity::kWarning, s, reg->header, "no registered voters");
    }
    if (const CountColumn* dv = e.declared_valid(); dv && (*dv)[s] != kMissing && (*dv)[s] != valid[s])
      add("declared_valid_mismatch", Severity::kError, s, dv->header,
          fmt::format("declared valid votes {} but the choices sum to {} (difference {:+})", (*dv)[s], valid[s],
                      (*dv)[s] - valid[s]),
          {{"declared", static_cast<double>((*dv)[s])}, {"sum", static_cast<double>(valid[s])}});
    if (const CountColumn* db = e.declared_ballots(); db && (*db)[s] != kMissing && (*db)[s] != ballots[s])
      add("declared_ballots_mismatch", Severity::kError, s, db->header,
          fmt::format("declared ballots {} but valid + blank + invalid = {} (difference {:+})", (*db)[s], ballots[s],
                      (*db)[s] - ballots[s]),
          {{"declared", static_cast<double>((*db)[s])}, {"sum", static_cast<double>(ballots[s])}});
    if (ballots[s] == 0 && !any_missing) add("zero_votes", Severity::kWarning, s, "", "no ballots at all on this sheet");
  }
}

// The spec's control relations on every sheet, with their tallies.
void relation_findings(const Election& e, IntegrityReport& r) {
  const size_t n = e.sheets();
  for (const Relation& rel : e.spec().relations) {
    IntegrityReport::RelationStat st{rel.name, rel.equation, 0, 0, 0};
    const std::string what = "relation " + rel.name;
    for (size_t s = 0; s < n; ++s) {
      int64_t lhs = 0, rhs = 0;
      bool ok = true;
      for (const auto& t : rel.terms) {
        auto v = e.symbol_value(t.symbol, s);
        if (!v) {
          ok = false;
          break;
        }
        int64_t& side = t.coefficient > 0 ? lhs : rhs;
        side = checked_add(side, checked_mul(std::abs(t.coefficient), *v, e, s, what), e, s, what);
      }
      if (!ok) {
        ++st.not_evaluable;
        continue;
      }
      ++st.checked;
      if (lhs != rhs) {
        ++st.violated;
        add_finding(r.findings, e, "relation_violated", Severity::kError, s, "",
                    fmt::format("{}: {} does not hold ({} on the left, {} on the right, difference {:+})", rel.name,
                                rel.equation, lhs, rhs, lhs - rhs),
                    {{"left", static_cast<double>(lhs)}, {"right", static_cast<double>(rhs)}});
      }
    }
    r.relations.push_back(st);
  }
}

// Statistical outliers: turnout, and the shares of the leading choices.
void outlier_findings(const Election& e, const IntegrityOptions& opt, std::vector<Finding>& out) {
  const size_t n = e.sheets();
  if (!opt.outliers || n <= opt.outlier_min_peers) return;
  if (const CountColumn* reg = e.registered()) find_outliers(e, e.ballots(), reg->values, "outlier_turnout", "turnout", opt, out);
  std::vector<std::pair<int64_t, size_t>> order;
  for (size_t c = 0; c < e.choices().size(); ++c) {
    int64_t t = 0;
    for (size_t s = 0; s < n; ++s) t = checked_add(t, e.choices()[c].or_zero(s), e, s, "a choice's total");
    order.push_back({-t, c});
  }
  std::sort(order.begin(), order.end());
  for (size_t k = 0; k < std::min(opt.outlier_choices, order.size()); ++k) {
    const auto& c = e.choices()[order[k].second];
    find_outliers(e, c.values, e.valid(), "outlier_share", c.name + "'s share", opt, out);
  }
}

// Stable order (by file in reading order and line, then errors first within a line) and the tallies.
void order_and_tally(const Election& e, IntegrityReport& r) {
  auto& out = r.findings;
  std::unordered_map<std::string_view, size_t> file_rank;
  for (size_t k = 0; k < e.files().size(); ++k) file_rank.emplace(e.files()[k], k + 1);
  auto rank = [&](const Finding& f) {
    auto it = file_rank.find(f.file);
    return it == file_rank.end() ? size_t{0} : it->second;
  };
  std::stable_sort(out.begin(), out.end(), [&](const Finding& a, const Finding& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.line != b.line) return a.line < b.line;
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
  std::map<std::string, IntegrityReport::Tally> tallies;
  std::set<std::string> error_sheets;
  for (const Finding& f : out) {
    auto& t = tallies[f.code];
    t.code = f.code;
    t.severity = f.severity;
    ++t.count;
    auto it = descriptions().find(f.code);
    t.description = it == descriptions().end() ? f.code : it->second;
    (f.severity == Severity::kError ? r.errors : f.severity == Severity::kWarning ? r.warnings : r.infos) += 1;
    if (f.severity == Severity::kError) error_sheets.insert(f.sheet_id + "\n" + std::to_string(f.line) + "\n" + f.file);
  }
  r.sheets_with_errors = error_sheets.size();
  for (auto& [code, t] : tallies) r.tallies.push_back(t);
  std::stable_sort(r.tallies.begin(), r.tallies.end(), [](const auto& a, const auto& b) {
    if (a.severity != b.severity) return static_cast<int>(a.severity) > static_cast<int>(b.severity);
    return a.count > b.count;
  });
}

}  // namespace

IntegrityReport check_integrity(const Election& e, const IntegrityOptions& opt) {
  IntegrityReport r;
  r.options = opt;
  r.sheets = e.sheets();
  reading_findings(e, r.findings);
  arithmetic_findings(e, r.findings);
  relation_findings(e, r);
  outlier_findings(e, opt, r.findings);
  order_and_tally(e, r);
  return r;
}

nlohmann::ordered_json to_json(const IntegrityReport& r, size_t max_findings) {
  nlohmann::ordered_json j;
  j["sheets"] = r.sheets;
  j["errors"] = r.errors;
  j["warnings"] = r.warnings;
  j["infos"] = r.infos;
  j["sheets_with_errors"] = r.sheets_with_errors;
  auto& t = j["by_code"] = nlohmann::ordered_json::array();
  for (const auto& x : r.tallies)
    t.push_back({{"code", x.code}, {"severity", to_string(x.severity)}, {"count", x.count}, {"description", x.description}});
  auto& rel = j["relations"] = nlohmann::ordered_json::array();
  for (const auto& x : r.relations)
    rel.push_back({{"name", x.name}, {"equation", x.equation}, {"checked", x.checked}, {"violated", x.violated},
                   {"not_evaluable", x.not_evaluable}});
  auto& f = j["findings"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.findings.size() && i < max_findings; ++i) f.push_back(to_json(r.findings[i]));
  j["findings_total"] = r.findings.size();
  j["findings_shown"] = std::min(r.findings.size(), max_findings);
  j["outlier_rule"] = fmt::format("|z| > {:g} and |difference| >= {:g} against at least {} peers",
                                  r.options.outlier_z, r.options.outlier_min_diff, r.options.outlier_min_peers);
  return j;
}

std::string to_text(const IntegrityReport& r, const Election& e, size_t max_findings) {
  // Ids and messages come from the file: printable() keeps each finding on its line (an id holding a
  // line break would print a line of its own in every finding).
  std::string o = fmt::format("Integrity of {} ({} sheets)\n", printable(e.source()), thousands(static_cast<int64_t>(r.sheets)));
  o += fmt::format("  {} errors, {} warnings, {} notes; {} sheets with at least one error\n", thousands(r.errors),
                   thousands(r.warnings), thousands(r.infos), thousands(r.sheets_with_errors));
  if (!r.tallies.empty()) {
    o += "\n  severity  count     finding\n";
    for (const auto& t : r.tallies)
      o += fmt::format("  {:<8} {:>7}     {} ({})\n", to_string(t.severity), thousands(t.count), t.description, t.code);
  }
  if (!r.relations.empty()) {
    o += "\n  control relations\n";
    for (const auto& x : r.relations)
      o += fmt::format("  {:<22} {:>8} checked, {:>6} violated, {:>6} not evaluable   {}\n", printable(x.name),
                       thousands(x.checked), thousands(x.violated), thousands(x.not_evaluable), printable(x.equation));
  }
  // A count of several files: a finding's place is the file (named within the folder) and its line.
  auto where = [&](const Finding& f) {
    if (f.file.empty()) return std::to_string(f.line);
    std::string_view name = f.file;
    if (name.size() > e.source().size() && name.substr(0, e.source().size()) == e.source())
      name.remove_prefix(e.source().size() + (name[e.source().size()] == '/' ? 1 : 0));
    return fmt::format("{}:{}", printable(name), f.line);
  };
  if (!r.findings.empty()) {
    o += e.multi_file() ? "\n  file:line sheet                severity  finding\n"
                        : "\n  line      sheet                severity  finding\n";
    size_t shown = 0;
    for (const Finding& f : r.findings) {
      if (shown++ >= max_findings) break;
      o += fmt::format("  {:<9} {:<20} {:<8}  {}: {}\n", where(f), printable(f.sheet_id), to_string(f.severity),
                       f.code, printable(f.message));
    }
    if (r.findings.size() > max_findings)
      o += fmt::format("  ... {} more findings not shown (use --max-findings N, or --json)\n",
                       thousands(static_cast<int64_t>(r.findings.size() - max_findings)));
  } else {
    o += "\n  no findings\n";
  }
  return o;
}

}  // namespace tallyscope
