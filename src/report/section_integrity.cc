// The integrity section: every arithmetic inconsistency, relation violation, duplicate and outlier.
#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {

Section section_integrity(const IntegrityReport& r, size_t max_findings) {
  Section sec;
  sec.id = "integrity";
  sec.title = "Integrity of the tally sheets";
  std::string& h = sec.html;
  const double share = r.sheets ? static_cast<double>(r.sheets_with_errors) / static_cast<double>(r.sheets) : 0;
  size_t violated = 0;
  for (const auto& rel : r.relations) violated += rel.violated;
  auto n_of = [](size_t n, const char* one, const char* many) {
    return count(static_cast<long long>(n)) + " " + (n == 1 ? one : many);
  };
  if (r.errors == 0) {
    h += para(fmt::format("No error-level finding on the {} sheets{}. {} and {} are listed below.",
                          count(static_cast<long long>(r.sheets)),
                          r.relations.empty() ? ""
                          : violated == 0     ? "; the protocol's control relations hold on every sheet where they can be checked"
                                              : "",
                          n_of(r.warnings, "warning", "warnings"), n_of(r.infos, "note", "notes")));
    sec.key_findings.push_back(fmt::format("Integrity: no error-level inconsistency on the {} sheets ({}).",
                                           count(static_cast<long long>(r.sheets)),
                                           n_of(r.warnings, "warning", "warnings")));
  } else {
    h += para(fmt::format("{} error-level findings on {} of the {} sheets ({}), {} warnings and {} notes. An error is "
                          "a sheet whose own numbers contradict each other or the rules of the count (for example "
                          "more ballots than registered voters, or a repeated sheet id).",
                          count(static_cast<long long>(r.errors)), count(static_cast<long long>(r.sheets_with_errors)),
                          count(static_cast<long long>(r.sheets)), percent(share, 2),
                          count(static_cast<long long>(r.warnings)), count(static_cast<long long>(r.infos))));
    sec.key_findings.push_back(fmt::format(
        "Integrity: {} error-level findings on {} sheets ({} of all sheets). They are inconsistencies in the sheets "
        "as published; on their own they say nothing about why they occurred.",
        count(static_cast<long long>(r.errors)), count(static_cast<long long>(r.sheets_with_errors)), percent(share, 2)));
  }
  h += para("What this establishes: which published sheets are internally inconsistent, and by how much. What it "
            "cannot tell: whether an inconsistency is a clerical slip, a transcription error, or manipulation; and a "
            "sheet that is consistent can still be wrong. Outliers are sheets unlike their neighbours, which has many "
            "innocent causes.");
  if (!r.tallies.empty()) {
    Chart c;
    c.id = "chart-integrity";
    c.caption = "Findings by kind, coloured by severity.";
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : r.tallies) {
      values.push_back({{"code", t.code}, {"severity", to_string(t.severity)}, {"count", t.count},
                        {"description", t.description}});
      rows.push_back({to_string(t.severity), t.code, count(static_cast<long long>(t.count)), t.description});
    }
    c.spec = {{"data", {{"values", values}}},
              {"mark", {{"type", "bar"}, {"tooltip", true}}},
              {"width", 520},
              {"height", {{"step", 22}}},
              {"encoding",
               {{"y", {{"field", "code"}, {"type", "nominal"}, {"sort", "-x"}, {"title", nullptr}}},
                {"x", {{"field", "count"}, {"type", "quantitative"}, {"title", "findings"}}},
                {"color", {{"field", "severity"}, {"type", "nominal"},
                           {"scale", {{"domain", {"error", "warning", "info"}}, {"range", {"#c0392b", "#e67e22", "#7f8c8d"}}}}}}}}};
    h += chart_div(c);
    sec.charts.push_back(std::move(c));
    h += table({"Severity", "Kind", "Count", "What it means"}, rows, {false, false, true, false});
  }
  if (!r.relations.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& rel : r.relations)
      rows.push_back({rel.name, rel.equation, count(static_cast<long long>(rel.checked)),
                      count(static_cast<long long>(rel.violated)), count(static_cast<long long>(rel.not_evaluable))});
    h += "<h3>Control relations of the protocol</h3>\n";
    h += table({"Relation", "Equation", "Sheets checked", "Violated", "Not evaluable"}, rows,
               {false, false, true, true, true});
  }
  if (!r.findings.empty()) {
    h += fmt::format("<h3>Findings{}</h3>\n",
                     r.findings.size() > max_findings
                         ? fmt::format(" (the first {} of {}; the JSON bundle and `tallyscope check` list all)",
                                       count(static_cast<long long>(max_findings)),
                                       count(static_cast<long long>(r.findings.size())))
                         : "");
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < r.findings.size() && i < max_findings; ++i) {
      const auto& f = r.findings[i];
      rows.push_back({to_string(f.severity), f.code, f.sheet_id, f.line ? std::to_string(f.line) : "", f.column, f.message});
    }
    h += "<div class=\"scroll\">" +
         table({"Severity", "Kind", "Sheet", "Line", "Column", "Finding"}, rows, {false, false, false, true, false, false},
               "findings") +
         "</div>\n";
  }
  return sec;
}

}  // namespace tallyscope::report
